/**
 * The host name of a `Host` header, lower-cased, without its port (`[::1]:3000` -> `[::1]`), or
 * null when the header is not a host.
 */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]\s]+)(:\d{1,5})?$/i.exec(header.trim());
  return match ? match[1].toLowerCase() : null;
}

/**
 * Whether a request may be served: an app on loopback answers only to the names of loopback (or
 * those configured), so a web page whose DNS name was rebound to 127.0.0.1 cannot read it
 * through the user's browser. `allowed` null: any host (an app listening beyond loopback).
 */
export function hostAllowed(header: string | undefined, allowed: readonly string[] | null): boolean {
  if (allowed === null) return true;
  const name = hostName(header);
  return name !== null && allowed.includes(name);
}
