import type { OrderItem, Totals } from '#schemas';

export interface RuleViolation {
  path: string;
  message: string;
}

/** subtotal = sum of qty * unitPrice; total = subtotal - discount + shipping + fees + tax. */
export function checkTotals(items: readonly OrderItem[], totals: Totals): RuleViolation[] {
  const violations: RuleViolation[] = [];
  const subtotal = items.reduce((sum, item) => sum + item.qty * item.unitPrice, 0);
  if (totals.subtotal !== subtotal) {
    violations.push({
      path: 'data.totals.subtotal',
      message: `subtotal is ${totals.subtotal}, but the items add up to ${subtotal}`,
    });
  }
  const total = totals.subtotal - totals.discount + totals.shipping + totals.fees + totals.tax;
  if (totals.total !== total) {
    violations.push({
      path: 'data.totals.total',
      message: `total is ${totals.total}, but subtotal - discount + shipping + fees + tax is ${total}`,
    });
  }
  if (totals.discount > totals.subtotal) {
    violations.push({ path: 'data.totals.discount', message: 'discount is above the subtotal' });
  }
  return violations;
}
