import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { Kafka, logLevel } from 'kafkajs';
import { SqliteJourneyLog } from '#journey-log';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  delayedRefundJourney,
  getJson,
  postJson,
  ROOT,
  startBackbone,
  tempDataDir,
  waitFor,
  type BackboneProcess,
} from '#testing';
import { dropKafkaEnv, kafkaEnv } from '../e2e/kafka-env';

/** What the SMTP server accepted: one entry per message it said 250 to. */
interface Received {
  messageId: string;
  event: string;
  to: string;
  subject: string;
  text: string;
}

/** A real SMTP server (the `smtp-server` package) on loopback, keeping every message it accepts. */
async function smtpServer(): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received.push({
            messageId: mail.messageId ?? '',
            event: mail.headers.get('x-journey-event') as string,
            to: mail.to && !Array.isArray(mail.to) ? mail.to.text : '',
            subject: mail.subject ?? '',
            text: mail.text ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  // A notifier killed in the middle of a conversation resets its connection: the server reports it, and goes on.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const run = promisify(execFile);

/** The `channel.message_sent` events on the log: (causation id, data). */
async function messagesSent(kind: string, dataDir: string, env: Record<string, string>) {
  if (kind === 'embedded') {
    const log = new SqliteJourneyLog({ file: join(dataDir, 'journey-log.db') });
    try {
      return (await log.readAll(null, 100_000))
        .filter((s) => s.event.type === 'channel.message_sent')
        .map((s) => ({ causationid: s.event.causationid, data: s.event.data }));
    } finally {
      await log.close();
    }
  }
  // On Kafka: the topic's records as any consumer reads them (CloudEvents binary mode: ce_* headers).
  const kafka = new Kafka({ brokers: env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(env.KAFKA_TOPIC);
  await admin.disconnect();
  const remaining = new Map(ends.map((p) => [p.partition, Number(p.high)]));
  const found: Array<{ causationid: string | undefined; data: unknown }> = [];
  const consumer = kafka.consumer({ groupId: `${env.KAFKA_TOPIC}-sent-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: env.KAFKA_TOPIC, fromBeginning: true });
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const check = () => [...remaining.values()].every((high) => high <= 0) && done();
  check();
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      if (message.headers?.ce_type?.toString() === 'channel.message_sent')
        found.push({
          causationid: message.headers.ce_causationid?.toString(),
          data: JSON.parse(message.value!.toString()) as unknown,
        });
      remaining.set(
        partition,
        Math.min(
          remaining.get(partition)!,
          Number(ends.find((e) => e.partition === partition)!.high) - Number(message.offset) - 1,
        ),
      );
      check();
    },
  });
  await finished;
  await consumer.disconnect();
  return found;
}

/** One customer's journey up to a delay and a refund: two emails to send (events `n<n>-5` and `n<n>-6`). */
const customerEvents = (n: number) =>
  delayedRefundJourney({
    customer: `cust-notify-${n}`,
    orderId: `ord-notify-${n}`,
    idPrefix: `n${n}`,
    source: '/notifier-test',
    email: `c${n}@example.com`,
  });

describe.each([
  { kind: 'embedded', notifiers: 1 },
  { kind: 'kafka', notifiers: 2 },
])(
  'the notifier (apps/notifier) on $kind: a reactor emailing over SMTP, one message per event',
  ({ kind, notifiers }) => {
    const dataDir = tempDataDir('notifier-');
    const env: Record<string, string> = kind === 'kafka' ? kafkaEnv('e2e_notifier', 3) : {};
    let smtp: Awaited<ReturnType<typeof smtpServer>>;
    let backbone: BackboneProcess;
    // Two on Kafka: the notifier's consumer group shares the partitions between them.
    const running: Array<BackboneProcess | null> = Array.from({ length: notifiers }, () => null);
    const startNotifier = async (i: number) =>
      (running[i] = await startBackbone({
        app: 'notifier',
        dataDir: kind === 'kafka' ? tempDataDir('notifier-app-') : dataDir,
        env: { ...env, SMTP_URL: smtp.url },
      }));

    beforeAll(async () => {
      smtp = await smtpServer();
      backbone = await startBackbone({ dataDir, env });
    }, 60_000);
    afterAll(async () => {
      for (const n of running) await n?.stop();
      await backbone?.stop();
      await smtp?.close();
      if (kind === 'kafka') await dropKafkaEnv(env);
    });

    it('refuses to start without a usable SMTP_URL, naming it and not repeating it', async () => {
      for (const smtpUrl of ['', 'http://mail.example.com', 'smtp://user:s3cret@']) {
        const app = await startBackbone({ app: 'notifier', dataDir, env: { ...env, SMTP_URL: smtpUrl }, noWait: true });
        const code = await new Promise((resolve) => app.child.once('exit', resolve));
        expect(code).toBe(2);
        expect(app.output()).toMatch(/SMTP_URL \((missing|given)\): /);
        expect(app.output()).not.toContain('s3cret');
      }
    }, 60_000);

    it(
      'emails each delay and refund with the shared wording, records channel.message_sent, and under SIGKILLs ' +
        'misses no event and sends none two different messages (a resend is the same message, one per kill at most)',
      async () => {
        for (let i = 0; i < notifiers; i++) await startNotifier(i);
        const customers = 16;
        const expected = customers * 2;
        // Appended while the notifier is killed and restarted over and over.
        const appending = (async () => {
          for (let n = 0; n < customers; n++) {
            const answer = await postJson(`${backbone.url}/v1/events`, customerEvents(n));
            expect(answer.status).toBe(201);
            // Spread out, so that the kills below land while emails are being sent.
            await new Promise((resolve) => setTimeout(resolve, kind === 'kafka' ? 1500 : 600));
          }
        })();
        const kills: number[] = [];
        for (let round = 0; round < 8 && smtp.received.length < expected; round++) {
          // Killed while at work: once it has sent something since the last kill, after a varying moment.
          const before = smtp.received.length;
          await waitFor(() => smtp.received.length > before, { timeoutMs: 60_000, what: 'an email before the kill' });
          await new Promise((resolve) => setTimeout(resolve, (round * 137) % 300));
          if (smtp.received.length >= expected) break;
          kills.push(smtp.received.length);
          const i = round % notifiers;
          await running[i]!.kill();
          await startNotifier(i);
        }
        await appending;
        await waitFor(() => new Set(smtp.received.map((m) => m.event)).size === expected, {
          timeoutMs: 60_000,
          what: `an email for each of the ${expected} events (got ${smtp.received.length})`,
        });
        // Settled: its checkpoint is at the head, so nothing more will come.
        await waitFor(
          async () => {
            const health = await getJson(`${running[0]!.url}/health`);
            const reactor = (health.body.reactors as Array<{ projection: string; lag: number }>).find(
              (r) => r.projection === 'reactor:notifier',
            );
            return reactor?.lag === 0;
          },
          { timeoutMs: 60_000, what: 'the notifier at the head of the log' },
        );
        await new Promise((resolve) => setTimeout(resolve, 500));

        const byEvent = new Map<string, Received[]>();
        for (const m of smtp.received) byEvent.set(m.event, [...(byEvent.get(m.event) ?? []), m]);
        const resent = smtp.received.length - byEvent.size;
        console.log(
          `notifier on ${kind}: ${expected} events, ${smtp.received.length} messages received, ` +
            `${kills.length} SIGKILLs ` +
            `(after ${kills.join(', ')} messages), ${resent} resent`,
        );
        expect(kills.length).toBeGreaterThanOrEqual(kind === 'kafka' ? 3 : 5);
        // One message per event, whatever the kills: no event without its email, no event with two different ones.
        expect(byEvent.size).toBe(expected);
        for (const [event, copies] of byEvent) {
          expect({
            event,
            messages: new Set(copies.map((c) => `${c.messageId}\n${c.subject}\n${c.text}`)).size,
          }).toEqual({
            event,
            messages: 1,
          });
        }
        // SMTP cannot tell a sender whether the message it was sending arrived: a kill after the server accepted it and
        // before the notifier recorded that sends the same message again (same Message-ID, which mailboxes collapse).
        // Only the message in flight at a kill can be sent twice: at most one per kill.
        expect(resent).toBeLessThanOrEqual(kills.length);
        for (let n = 0; n < customers; n++) {
          const [delay] = byEvent.get(`n${n}-5`) ?? [];
          const [refund] = byEvent.get(`n${n}-6`) ?? [];
          expect(delay).toMatchObject({ to: `c${n}@example.com`, subject: `Your order ord-notify-${n} is delayed` });
          expect(delay.text).toContain(`Order ord-notify-${n}: Delayed.`);
          expect(refund.subject).toBe(`Refund of EUR 10.00 for order ord-notify-${n}`);
          expect(delay.messageId).not.toBe(refund.messageId);
        }
        // The wording the channel API shows for the order is the wording emailed (same template, same view).
        const view = await getJson(`${backbone.url}/v1/customers/cust-notify-0/journey?channel=email`);
        const status = (view.body.messages as Array<{ templateId: string; text: string }>).find(
          (m) => m.templateId === 'order_status',
        );
        expect(byEvent.get('n0-6')![0].text.trim()).toBe(status!.text.trim());

        // channel.message_sent once per email, caused by its event, showing what the email showed.
        const sent = await messagesSent(kind, dataDir, env);
        expect(sent.map((s) => s.causationid).sort()).toEqual([...byEvent.keys()].sort());
        // On the log the text is sealed (it is personal); read through the backbone, it is the email's, word for word.
        expect(sent.find((s) => s.causationid === 'n0-6')!.data).toEqual({
          channel: 'email',
          templateId: 'order_status',
          orderId: 'ord-notify-0',
          shown: { status: 'delayed', total: 4000 },
          text: expect.stringMatching(/^pd1\./),
        });
        const replayed = await run(
          process.execPath,
          [
            join(ROOT, 'dist/apps/journey-cli/src/main.js'),
            'replay',
            '--customer',
            'cust-notify-0',
            '--json',
            '--include-pii',
          ],
          { env: { ...process.env, DATA_DIR: dataDir, ...env } },
        );
        const refundSent = (
          JSON.parse(replayed.stdout) as Array<{
            event: { type: string; causationid?: string; data: { text?: string } };
          }>
        ).find((s) => s.event.type === 'channel.message_sent' && s.event.causationid === 'n0-6')!;
        expect(refundSent.event.data.text).toBe(byEvent.get('n0-6')![0].text.replace(/\n$/, ''));
        const metrics = await getJson(`${running[0]!.url}/metrics`);
        expect(metrics.body).toMatch(/journey_reactor_lag_events\{reactor="notifier"\} 0/);
        expect(metrics.body).toMatch(/journey_reactor_parked_events\{reactor="notifier"\} 0/);
      },
      240_000,
    );
  },
);
