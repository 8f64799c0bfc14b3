import { readFileSync } from 'node:fs';
import { BackboneError, isBackboneError } from '#errors';
import { subscriptionInput, type FileSubscription } from './webhook-subscriptions';

/**
 * The subscriptions of `WEBHOOKS_FILE`: a JSON array of subscriptions, each with its `id` and `secret`. A file that
 * cannot be read or holds a wrong entry stops the start (`configuration_invalid`, naming the entry and the field).
 */
export function readWebhooksFile(file: string, now: () => Date = () => new Date()): FileSubscription[] {
  let entries: unknown;
  try {
    entries = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BackboneError('configuration_invalid', `WEBHOOKS_FILE ${file}: ${(error as Error).message}`);
  }
  if (!Array.isArray(entries))
    throw new BackboneError('configuration_invalid', `WEBHOOKS_FILE ${file}: must be a JSON array of subscriptions`);
  const seen = new Set<string>();
  return entries.map((entry: unknown, index) => {
    try {
      const input = subscriptionInput(entry, `subscription [${index}]`);
      if (input.id === undefined || input.secret === undefined)
        throw new BackboneError('configuration_invalid', `[${index}]: a subscription in the file needs id and secret`);
      if (seen.has(input.id))
        throw new BackboneError('configuration_invalid', `[${index}]: id ${input.id} is given twice`);
      seen.add(input.id);
      return { ...input, id: input.id, secret: input.secret, createdAt: now().toISOString(), origin: 'file' as const };
    } catch (error) {
      if (!isBackboneError(error, 'validation_failed')) {
        if (isBackboneError(error))
          throw new BackboneError('configuration_invalid', `WEBHOOKS_FILE ${file} ${error.message}`);
        throw error;
      }
      const details = (error.details as Array<{ path: string; message: string }>)
        .map((d) => `[${index}].${d.path}: ${d.message}`)
        .join('; ');
      throw new BackboneError('configuration_invalid', `WEBHOOKS_FILE ${file}: ${details}`);
    }
  });
}
