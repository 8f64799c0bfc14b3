import type {
  CaseView,
  Catalog,
  Channel,
  EnvelopeSchema,
  EventType,
  IdentityKind,
  JourneyView,
  OrderView,
} from '#schemas';
import type { z } from 'zod';
import { JourneyApiError, JourneyUnreachableError } from './journey-api-error';
import { readServerSentEvents } from './server-sent-events';

type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : never;

/**
 * An event as a producer sends it: the CloudEvents envelope with a catalog type, its `data` typed by that type's
 * current schema (the zod catalog's input type). `personaldatakey` is the backbone's to set.
 */
export type JourneyEventInput = {
  [T in EventType]: Omit<z.input<typeof EnvelopeSchema>, 'type' | 'data' | 'personaldatakey'> & {
    type: T;
    data: z.input<Last<Catalog[T]['versions']>>;
  };
}[EventType];

export interface JourneyClientOptions {
  /** The backbone's (or journey-api's, or a producer's) base URL, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` (an API key `jbk_...` or a JWT). */
  token?: string;
  /** @defaultValue the global `fetch` (Node 18+, browsers) */
  fetch?: typeof fetch;
  /** Attempts of a request that meets a retriable answer (503, 429, 408) or no answer at all. @defaultValue 5 */
  attempts?: number;
  /** First pause between attempts, doubled each time (a `Retry-After` answer is honoured). @defaultValue 200 */
  retryDelayMs?: number;
  /** Sent as `Journey-Purpose` with reads (the access log records it). */
  purpose?: string;
}

export interface ReadOptions {
  channel?: Channel;
  /** The view as it was at this time (ISO-8601). */
  asOf?: string;
  /** Wait until the view reflects this position; by default the position of this client's last write. */
  minPosition?: string;
}

export interface Read<T> {
  body: T;
  /** The log position the answer reflects (`Journey-Position`). */
  position: string | null;
}

export interface Watch {
  /** Stops watching (the promise of `done` then resolves). */
  stop(): void;
  /** Resolves when the watch stops: stopped, or the customer erased (`erased`). Rejects on a refusal (401, 403...). */
  done: Promise<'stopped' | 'erased'>;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/**
 * A typed client of the journey backbone for channel services and producers, in Node and browsers (only `fetch`):
 * appends retried on 503 with the same ids (appends are idempotent), reads that see the client's own writes (they
 * wait for the position of its last append), and `watchJourney` over Server-Sent Events that resumes with
 * `Last-Event-ID` after a disconnection or a server restart, so no change is missed between snapshot and updates.
 */
export class JourneyClient {
  private readonly fetch: typeof fetch;
  private lastWrite: string | undefined;

  constructor(private readonly options: JourneyClientOptions) {
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** The position of this client's last append: pass it to another client's reads for read-your-writes. */
  get lastWritePosition(): string | undefined {
    return this.lastWrite;
  }

  /** Appends one event or a batch (atomically). Retried on 503 and lost connections: the ids make it idempotent. */
  async append(
    events: JourneyEventInput | JourneyEventInput[],
    options: { expectedVersion?: number } = {},
  ): Promise<{ accepted: number; position: string }> {
    const query = options.expectedVersion === undefined ? '' : `?expectedVersion=${options.expectedVersion}`;
    const { body } = await this.request<{ accepted: number; position: string }>('POST', `/v1/events${query}`, events);
    this.lastWrite = body.position;
    return body;
  }

  async journey(customerId: string, options: ReadOptions = {}): Promise<Read<JourneyView>> {
    return this.read(`/v1/customers/${encodeURIComponent(customerId)}/journey`, options);
  }

  async order(orderId: string, options: ReadOptions = {}): Promise<Read<OrderView & { customerId: string }>> {
    return this.read(`/v1/orders/${encodeURIComponent(orderId)}`, options);
  }

  async case(caseId: string, options: ReadOptions = {}): Promise<Read<CaseView & { customerId: string }>> {
    return this.read(`/v1/cases/${encodeURIComponent(caseId)}`, options);
  }

  async identity(kind: IdentityKind, value: string): Promise<Read<{ customerId: string }>> {
    return this.read(`/v1/identities/${kind}/${encodeURIComponent(value)}`, {});
  }

  /**
   * Calls `onView` with the customer's view now, then on every change, until `stop()` or the customer's erasure.
   * After a lost connection (or a server restart) it reconnects with the id of the last view it got, and the server
   * sends the view again only if it changed since: nothing is missed, nothing is sent twice for nothing.
   */
  watchJourney(
    customerId: string,
    onView: (view: JourneyView, position: string | null) => void,
    options: { channel?: Channel } = {},
  ): Watch {
    const abort = new AbortController();
    let lastEventId: string | undefined;
    const path =
      `/v1/customers/${encodeURIComponent(customerId)}/journey/stream` +
      (options.channel ? `?channel=${options.channel}` : '');
    const done = (async (): Promise<'stopped' | 'erased'> => {
      let failures = 0;
      while (!abort.signal.aborted) {
        let response: Response;
        try {
          response = await this.fetch(this.url(path), {
            headers: {
              ...this.headers(),
              Accept: 'text/event-stream',
              ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
            },
            signal: abort.signal,
          });
        } catch {
          // No answer (the server is away): try again, unless stopped.
          if (abort.signal.aborted) break;
          await sleep(this.delay(failures++), abort.signal);
          continue;
        }
        if (!response.ok) {
          const error = await this.refusal(response);
          if (!error.retriable) throw error;
          await sleep(this.delay(failures++), abort.signal);
          continue;
        }
        failures = 0;
        try {
          for await (const message of readServerSentEvents(response.body!)) {
            if (message.event === 'erased') return 'erased';
            if (message.event !== 'journey') continue;
            lastEventId = message.id;
            onView(JSON.parse(message.data) as JourneyView, message.id || null);
          }
        } catch {
          // The connection broke (the server went away): reconnect from the last view.
        }
        if (!abort.signal.aborted) await sleep(this.delay(failures++), abort.signal);
      }
      return 'stopped';
    })();
    return { stop: () => abort.abort(), done };
  }

  private async read<T>(path: string, options: ReadOptions): Promise<Read<T>> {
    const query = new URLSearchParams();
    if (options.channel) query.set('channel', options.channel);
    if (options.asOf) query.set('asOf', options.asOf);
    const minPosition = options.minPosition ?? (options.asOf === undefined ? this.lastWrite : undefined);
    if (minPosition) query.set('minPosition', minPosition);
    const search = query.size > 0 ? `?${query.toString()}` : '';
    return this.request<T>('GET', `${path}${search}`);
  }

  private url(path: string): string {
    return `${this.options.baseUrl.replace(/\/$/, '')}${path}`;
  }

  private headers(): Record<string, string> {
    return {
      ...(this.options.token ? { Authorization: `Bearer ${this.options.token}` } : {}),
      ...(this.options.purpose ? { 'Journey-Purpose': this.options.purpose } : {}),
    };
  }

  private delay(failures: number, retryAfter?: string | null): number {
    const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    return Math.min((this.options.retryDelayMs ?? 200) * 2 ** failures, 10_000);
  }

  private async refusal(response: Response): Promise<JourneyApiError> {
    const body = (await response.json().catch(() => ({}))) as { code?: string; errors?: JourneyApiError['errors'] };
    return new JourneyApiError(response.status, body.code ?? 'unknown', body.errors ?? []);
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Read<T>> {
    const attempts = this.options.attempts ?? 5;
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await this.fetch(this.url(path), {
          method,
          headers: { ...this.headers(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        if (attempt + 1 >= attempts) throw new JourneyUnreachableError(error);
        await sleep(this.delay(attempt));
        continue;
      }
      if (response.ok)
        return { body: (await response.json()) as T, position: response.headers.get('Journey-Position') };
      const error = await this.refusal(response);
      if (!error.retriable || attempt + 1 >= attempts) throw error;
      await sleep(this.delay(attempt, response.headers.get('Retry-After')));
    }
  }
}
