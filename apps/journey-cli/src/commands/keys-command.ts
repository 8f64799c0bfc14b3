import { createKey, KeyFileError, readKeyFile, revokeKey } from '#auth';
import { authKeysFile, loadConfig, openReadStore } from '#config';
import { PersonalData, rotateMasterKey } from '#personal-data';
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
      case 'rotate-master':
        return await rotateMaster(args.json);
      default:
        throw new UsageError('keys takes create, list, revoke or rotate-master');
    }
  } catch (error) {
    if (error instanceof KeyFileError) throw new UsageError(error.message);
    throw error;
  }
}

/** `journey keys rotate-master`: see `rotateMasterKey`. */
async function rotateMaster(json: boolean): Promise<number> {
  const config = loadConfig();
  const store = await openReadStore(config.readStore);
  try {
    const rotation = await rotateMasterKey(
      store.keyStore(),
      PersonalData.masterKeyFile(config.personalData.masterKeyFile),
    );
    if (json) process.stdout.write(JSON.stringify(rotation) + '\n');
    else
      process.stderr.write(
        `master key ${rotation.masterKeyId} now wraps ${rotation.rewrapped} key(s) and secret(s)` +
          (rotation.retired.length > 0 ? `; retired ${rotation.retired.join(', ')}` : '') +
          ` (${config.personalData.masterKeyFile})\n`,
      );
    return 0;
  } finally {
    await store.close();
  }
}
