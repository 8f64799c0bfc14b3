import { isBackboneError } from '#errors';
import { startApp } from '#nest-backbone';
import { NotifierModule } from './notifier.module';
import { notifierSettings, type NotifierSettings } from './notifier-settings';

let settings: NotifierSettings;
try {
  settings = notifierSettings(process.env);
} catch (error) {
  if (!isBackboneError(error, 'configuration_invalid')) throw error;
  console.error(`notifier: ${error.message}`);
  process.exit(2);
}

/**
 * The notifier, a reactor: emails customers when a shipment is delayed or a refund is issued (SMTP_URL) and records
 * each email as `channel.message_sent`. Serves `/health` and `/metrics` (its lag and parked events).
 */
void startApp('notifier', [], () => [NotifierModule.forRoot(settings)]);
