import { chmodSync, existsSync, readFileSync, renameSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { hashSecret, newApiKey } from './api-key';
import { scopeProblem, sourcePatternProblem } from './scopes';

const KeyRecord = z.object({
  id: z.string().regex(/^[A-Za-z0-9]{1,64}$/),
  name: z.string().min(1).max(200),
  scopes: z.array(z.string()).min(1),
  sources: z.array(z.string()).nullable(),
  hash: z.string().startsWith('scrypt$'),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type KeyRecord = z.infer<typeof KeyRecord>;

const KeyFileSchema = z.object({ keys: z.array(KeyRecord) });

/** The key file (`AUTH_KEYS_FILE`): JSON holding each key's scopes, sources and a slow hash of its secret, never it. */
export function readKeyFile(file: string): KeyRecord[] {
  if (!existsSync(file)) return [];
  const parsed = KeyFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`the key file ${file} is not valid: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data.keys;
}

/** Writes the whole file at once (a reader sees the old file or the new one), readable by its owner only. */
function writeKeyFile(file: string, keys: readonly KeyRecord[]): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify({ keys }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export interface NewKey {
  name: string;
  scopes: string[];
  sources?: string[];
  expiresAt?: string;
}

/** Adds a key; answers its token, the only time the secret is seen. */
export async function createKey(
  file: string,
  request: NewKey,
  now = new Date(),
): Promise<{ token: string; key: KeyRecord }> {
  const problems = [...request.scopes.map(scopeProblem), ...(request.sources ?? []).map(sourcePatternProblem)].filter(
    (p): p is string => p !== null,
  );
  if (request.scopes.length === 0) problems.push('a key needs at least one --scope');
  if (request.expiresAt !== undefined && !(Date.parse(request.expiresAt) > now.getTime()))
    problems.push(`--expires must be a time in the future, not "${request.expiresAt}"`);
  if (problems.length > 0) throw new KeyFileError(problems.join('; '));
  const keys = readKeyFile(file);
  const { keyId, secret, token } = newApiKey();
  const key: KeyRecord = {
    id: keyId,
    name: request.name,
    scopes: request.scopes,
    sources: request.sources && request.sources.length > 0 ? request.sources : null,
    hash: await hashSecret(secret),
    createdAt: now.toISOString(),
    expiresAt: request.expiresAt === undefined ? null : new Date(request.expiresAt).toISOString(),
    revokedAt: null,
  };
  writeKeyFile(file, [...keys, key]);
  return { token, key };
}

/** Marks a key revoked (kept, so the access log's credential stays explained). */
export function revokeKey(file: string, keyId: string, now = new Date()): KeyRecord {
  const keys = readKeyFile(file);
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new KeyFileError(`no key ${keyId} in ${file}`);
  const revoked = { ...key, revokedAt: key.revokedAt ?? now.toISOString() };
  writeKeyFile(
    file,
    keys.map((k) => (k.id === keyId ? revoked : k)),
  );
  return revoked;
}

/** A refusal of a key file operation, worded for the person who asked. */
export class KeyFileError extends Error {}

/**
 * Calls `onChange` with the keys whenever the file changes (polled every 250 ms, so a running app sees a change
 * within a second, whatever tool wrote it). Answers a function that stops watching.
 */
export function watchKeyFile(file: string, onChange: (keys: KeyRecord[]) => void, onError: (error: Error) => void) {
  const listener = () => {
    try {
      onChange(readKeyFile(file));
    } catch (error) {
      onError(error as Error);
    }
  };
  watchFile(file, { interval: 250, persistent: false }, listener);
  return () => unwatchFile(file, listener);
}
