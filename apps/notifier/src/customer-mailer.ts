import { Inject, Injectable } from '@nestjs/common';
import type { Transporter } from 'nodemailer';
import { isBackboneError } from '#errors';
import { EventIngestion } from '#ingestion';
import { customerNotification, NOTIFIED_TYPES, type NotifiedEvent } from '#journey-domain';
import type { JourneyLog, StoredEvent } from '#journey-log';
import { JourneyReader } from '#journey-read';
import type { StructuredLogger } from '#logging';
import { JOURNEY_LOG, LOGGER, OnJourneyEvent } from '#nest-backbone';
import type { ReactionContext } from '#projection-runtime';
import type { NotifierSettings } from './notifier-settings';

export const MAIL_TRANSPORT = Symbol('MAIL_TRANSPORT');
export const NOTIFIER_SETTINGS = Symbol('NOTIFIER_SETTINGS');

/** The source of the `channel.message_sent` events the notifier appends. */
export const NOTIFIER_SOURCE = '/journey-backbone/notifier';

/** The customer's email address as of their events: the last one linked and not unlinked since. */
export function emailOf(events: readonly StoredEvent[]): string | null {
  let email: string | null = null;
  for (const { event } of events) {
    if (event.type === 'identity.linked' && event.data.kind === 'email') email = event.data.value;
    if (event.type === 'identity.unlinked' && event.data.kind === 'email' && event.data.value === email) email = null;
  }
  return email;
}

/**
 * Emails a customer when a shipment is delayed or a refund is issued: the shared `order_status` wording, from their
 * view as of that event, then `channel.message_sent` with what it showed. The email is sent once per event (`once`:
 * a redelivery after a crash finds it recorded); the Message-ID comes from the event, so the rare resend (a crash
 * between the server's acceptance and the record) is the same message, which mailboxes collapse.
 */
@Injectable()
export class CustomerMailer {
  constructor(
    @Inject(MAIL_TRANSPORT) private readonly transport: Transporter,
    @Inject(NOTIFIER_SETTINGS) private readonly settings: NotifierSettings,
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    @Inject(LOGGER) private readonly logger: StructuredLogger,
    private readonly reader: JourneyReader,
    private readonly ingestion: EventIngestion,
  ) {}

  @OnJourneyEvent(NOTIFIED_TYPES, { name: 'notifier', maxAttempts: 10, retryDelayMs: 500, timeoutMs: 60_000 })
  async notify(event: NotifiedEvent, context: ReactionContext): Promise<void> {
    const skip = (why: string) =>
      this.logger.info({ reactor: 'notifier', type: event.type, position: context.position }, `no email: ${why}`);
    const events = await this.log.readJourney(event.subject, { position: context.position });
    const to = emailOf(events);
    if (to === null) return skip('the customer has no email address linked');
    const view = await this.reader
      .journey(event.subject, { atPosition: context.position, asOf: event.time })
      .catch((error: unknown) => {
        if (isBackboneError(error, 'erased') || isBackboneError(error, 'not_found')) return null;
        throw error;
      });
    if (view === null) return skip('the customer is erased or has no journey');
    const mail = customerNotification(event, view.body);
    if (mail === null) return skip('the order is not in the customer’s journey');
    await context.once('email', async () => {
      await this.transport.sendMail({
        from: this.settings.from,
        to,
        subject: mail.subject,
        text: mail.text,
        messageId: `<${context.idempotencyKey}@${this.settings.messageIdDomain}>`,
        headers: { 'X-Journey-Event': event.id },
      });
    });
    await this.ingestion
      .ingest(
        {
          specversion: '1.0',
          id: `message-${context.idempotencyKey}`,
          source: NOTIFIER_SOURCE,
          type: 'channel.message_sent',
          schemaversion: 2,
          subject: event.subject,
          time: new Date().toISOString(),
          causationid: event.id,
          ...(event.correlationid ? { correlationid: event.correlationid } : {}),
          data: mail.sent,
        },
        { owner: null },
      )
      .catch((error: unknown) => {
        // Appended by an earlier attempt (with its own time): the record exists.
        if (!isBackboneError(error, 'duplicate_id')) throw error;
      });
  }
}
