// Building an Intl.NumberFormat costs far more than formatting: keep one answer per currency.
const decimalsByCurrency = new Map<string, number>();

function currencyDecimals(currency: string): number {
  let digits = decimalsByCurrency.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    decimalsByCurrency.set(currency, digits);
  }
  return digits;
}

/** Money for people: minor units in the currency's own number of decimals, e.g. `EUR 129.90`. */
export function formatMoney(minor: number, currency: string): string {
  const digits = currencyDecimals(currency);
  return `${currency} ${(minor / 10 ** digits).toFixed(digits)}`;
}

/** A day for people, the same on every channel: `Tue 3 Mar 2026` (UTC). */
export function formatDay(iso: string): string {
  const d = new Date(iso);
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  return `${weekday} ${d.getUTCDate()} ${month} ${d.getUTCFullYear()}`;
}

export function addDays(iso: string, days: number): string {
  return new Date(Date.parse(iso) + days * 86_400_000).toISOString();
}
