import { createKey, KeyFileError, readKeyFile, revokeKey } from '#auth';
import { authKeysFile } from '#config';
import { UsageError } from '../usage-error';

export interface KeysArgs {
  action: string | undefined;
  keyId?: string;
  name?: string;
  scopes: string[];
  sources: string[];
  expires?: string;
  json: boolean;
}

/**
 * `journey keys create|list|revoke`: API keys in the key file. `create` prints the token once (only a slow hash of its
 * secret is kept); running apps see every change within a second.
 */
export async function keysCommand(args: KeysArgs): Promise<number> {
  const file = authKeysFile();
  try {
    switch (args.action) {
      case 'create': {
        if (!args.name) throw new UsageError('keys create needs --name NAME');
        const { token, key } = await createKey(file, {
          name: args.name,
          scopes: args.scopes,
          sources: args.sources,
          expiresAt: args.expires,
        });
        if (args.json) process.stdout.write(JSON.stringify({ token, keyId: key.id, file }) + '\n');
        else {
          process.stdout.write(`${token}\n`);
          process.stderr.write(
            `key ${key.id} (${key.name}) added to ${file}: the token above is shown once; keep it secret\n`,
          );
        }
        return 0;
      }
      case 'list': {
        const keys = readKeyFile(file).map(({ hash: _hash, ...key }) => key);
        if (args.json) process.stdout.write(JSON.stringify(keys, null, 2) + '\n');
        else
          for (const key of keys) {
            const state = key.revokedAt ? `revoked ${key.revokedAt}` : key.expiresAt ? `expires ${key.expiresAt}` : '';
            const sources = key.sources ? ` sources ${key.sources.join(',')}` : '';
            process.stdout.write(`${key.id}  ${key.name}  ${key.scopes.join(' ')}${sources}  ${state}\n`);
          }
        return 0;
      }
      case 'revoke': {
        if (!args.keyId) throw new UsageError('keys revoke needs the key id (journey keys list shows them)');
        const key = revokeKey(file, args.keyId);
        process.stderr.write(`key ${key.id} (${key.name}) revoked at ${key.revokedAt}\n`);
        return 0;
      }
      default:
        throw new UsageError('keys takes create, list or revoke');
    }
  } catch (error) {
    if (error instanceof KeyFileError) throw new UsageError(error.message);
    throw error;
  }
}
