/**
 * Scopes as the access design fixes them (shared design, "Access and privacy"): what a credential may do. Pure.
 */
export const FIXED_SCOPES = [
  'journeys:read',
  'pii:read',
  'privacy:read',
  'privacy:erase',
  'metrics:read',
  'admin',
] as const;
export type FixedScope = (typeof FIXED_SCOPES)[number];

/** `events:write:<type pattern>`: appending events of the matching types. */
export const WRITE_SCOPE_PREFIX = 'events:write:';

/** What a route needs: a scope, a write scope of any pattern (each event is checked on its own), or nothing. */
export type Access = FixedScope | 'events:write' | 'public';

/** Who made a request, as authentication established it. */
export interface Principal {
  /** The key id, the JWT `sub`, or `anonymous` when auth is off. */
  credential: string;
  kind: 'key' | 'jwt' | 'anonymous';
  scopes: readonly string[];
  /** CloudEvents `source` patterns the credential may speak for; null: any. */
  sources: readonly string[] | null;
  /** When it stops being valid (ms since the epoch); null: never by itself. */
  expiresAt: number | null;
}

/** The principal of every request while auth is off: allowed everything. */
export const ANONYMOUS_ADMIN: Principal = {
  credential: 'anonymous',
  kind: 'anonymous',
  scopes: ['admin'],
  sources: null,
  expiresAt: null,
};

const PATTERN = /^[A-Za-z0-9._\-/:*]+$/;

/** Why a scope is not one this backbone knows, or null. */
export function scopeProblem(scope: string): string | null {
  if ((FIXED_SCOPES as readonly string[]).includes(scope)) return null;
  if (scope.startsWith(WRITE_SCOPE_PREFIX)) {
    const pattern = scope.slice(WRITE_SCOPE_PREFIX.length);
    return PATTERN.test(pattern) ? null : `"${pattern}" is not an event type pattern (letters, digits, . _ - and *)`;
  }
  return `unknown scope "${scope}": one of ${FIXED_SCOPES.join(', ')} or ${WRITE_SCOPE_PREFIX}<type pattern>`;
}

/** Why a source pattern cannot be used, or null. */
export function sourcePatternProblem(pattern: string): string | null {
  return PATTERN.test(pattern) ? null : `"${pattern}" is not a source pattern (letters, digits, . _ - / : and *)`;
}

const compiled = new Map<string, RegExp>();

/**
 * Whether `value` matches `pattern`: `*` matches within a dot-segment, and a `*` at the end matches the rest
 * (`shipment.*`, `order.placed`, `*`, `checkout-web*`).
 */
export function matchesPattern(pattern: string, value: string): boolean {
  let regex = compiled.get(pattern);
  if (!regex) {
    const parts = pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'));
    const body = parts
      .map((part, i) =>
        i === parts.length - 1 ? part : part + (i === parts.length - 2 && parts[i + 1] === '' ? '.*' : '[^.]*'),
      )
      .join('');
    regex = new RegExp(`^${body}$`);
    compiled.set(pattern, regex);
  }
  return regex.test(value);
}

export function hasScope(principal: Principal, scope: FixedScope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(scope);
}

/** Whether the principal may append events of this type. */
export function canWrite(principal: Principal, type: string): boolean {
  if (principal.scopes.includes('admin')) return true;
  return principal.scopes.some(
    (s) => s.startsWith(WRITE_SCOPE_PREFIX) && matchesPattern(s.slice(WRITE_SCOPE_PREFIX.length), type),
  );
}

/** Whether the principal may speak for this CloudEvents `source`. */
export function canSpeakFor(principal: Principal, source: string): boolean {
  return principal.sources === null || principal.sources.some((pattern) => matchesPattern(pattern, source));
}

/** Whether the principal may use a route declared with `access`. */
export function allows(principal: Principal, access: Access): boolean {
  if (access === 'public') return true;
  if (access === 'events:write')
    return principal.scopes.includes('admin') || principal.scopes.some((s) => s.startsWith(WRITE_SCOPE_PREFIX));
  return hasScope(principal, access);
}
