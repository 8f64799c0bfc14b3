import type { Channel, JourneyEvent } from '#schemas';
import { publishedPolicyVersion, type PolicyVersion } from '#journey-domain';
import type { JourneyLog, StoredEvent } from '#journey-log';
import { renderJourneyView, summariseEvent } from '#journey-projections';
import { journeyStateAsOf } from '#journey-read';
import { eventsOnLog, openLog, readWholeLog } from '../analysis-log';
import { optionalIsoTime } from '../cli-values';
import { Progress } from '../progress';
import { redact } from '#journey-read';
import { UsageError } from '../usage-error';

export interface ReplayArgs {
  customer?: string;
  order?: string;
  case?: string;
  asOf?: string;
  channel?: string;
  json?: boolean;
  includePii?: boolean;
}

const CHANNELS = ['web', 'email', 'chat', 'phone', 'store'];

function names(event: JourneyEvent, key: 'orderId' | 'caseId', id: string): boolean {
  return (event.data as Record<string, unknown>)[key] === id;
}

/**
 * One pass over the log for what a replay needs beyond one journey: the customer an order or
 * a case belongs to, and (for --as-of) every published returns policy version.
 */
async function scan(
  log: JourneyLog,
  find: { key: 'orderId' | 'caseId'; id: string } | null,
  wantPolicies: boolean,
  signal: AbortSignal,
) {
  let customer: string | null = null;
  const policies: PolicyVersion[] = [];
  if (!find && !wantPolicies) return { customer, policies };
  const progress = new Progress('replay: reading the log', await eventsOnLog(log));
  for await (const page of readWholeLog(log, { shouldStop: () => signal.aborted })) {
    for (const { event, sequence } of page) {
      if (find && customer === null && event.type !== 'policy.published' && names(event, find.key, find.id))
        customer = event.subject;
      if (event.type === 'policy.published' && event.data.kind === 'returns')
        policies.push(publishedPolicyVersion(event, sequence));
    }
    progress.add(page.length);
    if (customer !== null && !wantPolicies) break;
  }
  progress.finish();
  return { customer, policies };
}

function timeline(events: ReadonlyArray<Pick<StoredEvent, 'event'>>): string {
  let latest = -Infinity;
  return events
    .map((s) => {
      const time = Date.parse(s.event.time);
      // A fact appended after one that happened later: shown where it was appended, marked late.
      const late = time < latest ? '  (late)' : '';
      latest = Math.max(latest, time);
      return `${s.event.time}  ${s.event.type.padEnd(22)} ${summariseEvent(s.event)}${late}`;
    })
    .join('\n');
}

/** `journey replay`: one customer's, order's or case's events as a timeline, or the view as of a time. */
export async function replayCommand(args: ReplayArgs, signal: AbortSignal): Promise<number> {
  const chosen = (['customer', 'order', 'case'] as const).filter((k) => args[k] !== undefined);
  if (chosen.length !== 1) throw new UsageError('name exactly one of --customer, --order, --case');
  if (args.channel !== undefined && !CHANNELS.includes(args.channel))
    throw new UsageError(`--channel must be one of ${CHANNELS.join(', ')}`);
  const asOf = optionalIsoTime('as-of', args.asOf);
  const show = <T>(value: T): T => (args.includePii ? value : redact(value));

  const { log } = await openLog({ mustExist: true });
  try {
    const find =
      args.order !== undefined
        ? { key: 'orderId' as const, id: args.order }
        : args.case !== undefined
          ? { key: 'caseId' as const, id: args.case }
          : null;
    const found = await scan(log, find, asOf !== undefined, signal);
    if (signal.aborted) return 130;
    const customer = args.customer ?? found.customer;
    if (customer === null)
      throw new UsageError(`no event on the log names ${find!.key === 'orderId' ? 'order' : 'case'} ${find!.id}`);

    if (asOf === undefined) {
      const events = (await log.readJourney(customer)).filter((s) => !find || names(s.event, find.key, find.id));
      if (events.length === 0) throw new UsageError(`no events for customer ${customer}`);
      const shown = events.map((s) => ({
        position: s.position,
        journeyVersion: s.journeyVersion,
        event: show(s.event),
      }));
      process.stdout.write(args.json ? JSON.stringify(shown, null, 2) + '\n' : `${timeline(shown)}\n`);
      return 0;
    }

    // The view as of a time: the same rebuild and rendering as `GET ...?asOf=`.
    const { state, position } = await journeyStateAsOf(log, customer, asOf);
    if (!state) throw new UsageError(`no journey for customer ${customer} as of ${asOf}`);
    const view = renderJourneyView(state, {
      asOf,
      position,
      channel: args.channel as Channel | undefined,
      returnsPolicies: found.policies,
    });
    let body: unknown = view;
    if (find) {
      // As GET /v1/orders/{id} and /v1/cases/{id}: that element of the customer's view.
      const element =
        find.key === 'orderId'
          ? view.orders.find((o) => o.orderId === find.id)
          : view.cases.find((c) => c.caseId === find.id);
      if (!element) throw new UsageError(`no ${find.key === 'orderId' ? 'order' : 'case'} ${find.id} as of ${asOf}`);
      body = { customerId: customer, ...element, ...(view.messages ? { messages: view.messages } : {}) };
    }
    process.stdout.write(JSON.stringify(show(body), null, args.json ? 0 : 2) + '\n');
    return 0;
  } finally {
    await log.close();
  }
}
