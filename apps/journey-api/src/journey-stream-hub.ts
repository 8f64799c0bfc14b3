import type { OutgoingHttpHeaders } from 'node:http';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { Channel } from '#schemas';
import type { BackboneConfig } from '#config';
import { BackboneError, isBackboneError } from '#errors';
import type { JourneyLog } from '#journey-log';
import { journeyViewProjection } from '#journey-projections';
import { ANONYMOUS_ADMIN, Authenticator, hasScope, type Principal } from '#auth';
import { JourneyReader, ProjectionProgress, redact } from '#journey-read';
import { errorFields, type StructuredLogger } from '#logging';
import {
  BACKBONE_CONFIG,
  JOURNEY_LOG,
  LOGGER,
  Metrics,
  READ_STORE,
  countHttpRequest,
  principalOf,
} from '#nest-backbone';
import type { ReadStore } from '#read-store';
import { traceSsePush } from '#tracing';

const VIEW = journeyViewProjection.name;
/**
 * How often changes are looked for when a projector in another process makes them (one query, however many streams).
 */
const POLL_MS = 250;
/** How often open streams' credentials are checked for expiry. */
const EXPIRY_CHECK_MS = 500;

interface Stream {
  customerId: string;
  channel: Channel | undefined;
  reply: FastifyReply;
  response: ServerResponse;
  /** Position of the last view sent (its `id:`), undefined before the first. */
  sent: string | null | undefined;
  /** Who opened it: the stream ends once the credential is revoked or expires; personal data only with `pii:read`. */
  principal: Principal;
  clear: boolean;
}

/**
 * Server-Sent Events of journey views, for every stream of this process. A view is read once per
 * change and channel, and written to every stream that shows it; changes come from the commits of
 * a projector in this process (which say which documents they changed), and otherwise from one
 * look at the view's checkpoint per poll, then at the positions of the streamed customers' documents
 * only when it moved. Nothing is read per stream on a timer.
 *
 * Each stream is bounded: a client that does not read is dropped once what waits for it passes
 * `SSE_MAX_BUFFER_BYTES`; the process holds at most `MAX_SSE_STREAMS` (503 beyond); one timer
 * writes every stream's heartbeat comment. A client resuming with `Last-Event-ID` gets the view
 * again only if it changed since (the view is a snapshot: what it missed is in it).
 */
@Injectable()
export class JourneyStreamHub implements OnModuleDestroy {
  private readonly byCustomer = new Map<string, Set<Stream>>();
  private open = 0;
  private readonly heartbeat: NodeJS.Timeout;
  private poller: NodeJS.Timeout | null = null;
  /** What the poll saw last: the view's checkpoint, and each streamed customer's document position. */
  private seenCheckpoint: string | null | undefined;
  private readonly seenPositions = new Map<string, string | null>();
  private readonly refreshing = new Set<string>();
  private readonly stale = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly stopAuthWatch: () => void;
  private readonly expiry: NodeJS.Timeout;
  private readonly logger: StructuredLogger;

  constructor(
    private readonly reader: JourneyReader,
    private readonly progress: ProjectionProgress,
    private readonly metrics: Metrics,
    @Inject(READ_STORE) private readonly store: ReadStore,
    @Inject(JOURNEY_LOG) private readonly log: JourneyLog,
    @Inject(BACKBONE_CONFIG) private readonly config: BackboneConfig,
    @Inject(LOGGER) logger: StructuredLogger,
    private readonly authenticator: Authenticator,
  ) {
    this.logger = logger.child({ component: 'sse' });
    this.unsubscribe = progress.onProgress((changed) => {
      for (const customerId of changed.get(VIEW) ?? []) if (this.byCustomer.has(customerId)) this.refresh(customerId);
    });
    this.heartbeat = setInterval(() => this.beat(), config.sse.heartbeatMs).unref();
    // A revoked key ends its streams as soon as the key file says so; an expiring credential within a second.
    this.stopAuthWatch = authenticator.onChange(() => this.endUnauthorised());
    this.expiry = setInterval(() => this.endUnauthorised(), EXPIRY_CHECK_MS).unref();
  }

  /** Ends the streams whose credential is no longer valid. */
  private endUnauthorised(): void {
    for (const streams of this.byCustomer.values())
      for (const stream of streams) if (!this.authenticator.stillValid(stream.principal)) stream.response.end();
  }

  /** Ends a customer's streams (their erasure): an `erased` event, then the end. */
  endCustomer(customerId: string): void {
    for (const stream of this.byCustomer.get(customerId) ?? []) {
      this.write(stream, `event: erased\ndata: ${JSON.stringify({ code: 'erased', customerId })}\n\n`);
      stream.response.end();
    }
  }

  /** Streams open in this process. */
  get streams(): number {
    return this.open;
  }

  /**
   * Takes over the request: refused with `too_many_streams` (503) beyond the limit, else the
   * stream is open until the client goes, with the current view first (unless `lastEventId` shows
   * the client has it already).
   */
  async stream(
    customerId: string,
    channel: Channel | undefined,
    lastEventId: string | undefined,
    reply: FastifyReply,
  ): Promise<void> {
    const principal = principalOf(reply.request) ?? ANONYMOUS_ADMIN;
    const clear = hasScope(principal, 'pii:read');
    if (this.open >= this.config.sse.maxStreams) {
      throw new BackboneError(
        'too_many_streams',
        `this process holds ${this.config.sse.maxStreams} streams, its most (MAX_SSE_STREAMS): try again later`,
        { retriable: true },
      );
    }
    await this.reader.refuseErased(customerId);
    // The stream is written by hand: Fastify leaves the response alone from here on.
    reply.hijack();
    const response = reply.raw;
    const stream: Stream = { customerId, channel, reply, response, sent: undefined, principal, clear };
    this.open++;
    let streams = this.byCustomer.get(customerId);
    if (!streams) this.byCustomer.set(customerId, (streams = new Set()));
    streams.add(stream);
    response.once('close', () => this.closed(stream));
    response.writeHead(200, {
      // What the hooks set before the hijack (CORS for an allowed page's origin) goes out with the stream's headers.
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    this.write(stream, 'retry: 1000\n\n');
    if (lastEventId !== undefined) {
      const position = (await this.store.documentPositions(VIEW, [customerId])).get(customerId);
      // Nothing of this customer's view changed after what the client last got: resume without a copy.
      if (position !== undefined && position !== null && this.log.positions.reached(lastEventId, position))
        stream.sent = lastEventId;
    }
    if (stream.sent === undefined) this.refresh(customerId);
    this.watch();
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    clearInterval(this.expiry);
    this.stopAuthWatch();
    if (this.poller) clearInterval(this.poller);
    this.unsubscribe();
    for (const streams of this.byCustomer.values()) for (const stream of streams) stream.response.end();
  }

  /**
   * Sends the customer's view to its streams that have not got it; one read per channel, one at a time per customer.
   */
  private refresh(customerId: string): void {
    if (this.refreshing.has(customerId)) {
      this.stale.add(customerId);
      return;
    }
    this.refreshing.add(customerId);
    void (async () => {
      do {
        this.stale.delete(customerId);
        const streams = this.byCustomer.get(customerId);
        if (!streams) break;
        for (const channel of new Set([...streams].map((s) => s.channel))) {
          const read = await this.reader.journey(customerId, { channel }).catch((error: unknown) => {
            if (isBackboneError(error, 'erased')) {
              this.endCustomer(customerId);
              return null;
            }
            // No journey yet: the stream waits for the first event of one.
            if (!isBackboneError(error, 'not_found'))
              this.logger.error(
                { code: isBackboneError(error) ? error.code : 'internal_error', error: errorFields(error) },
                'cannot read a streamed view',
              );
            return null;
          });
          if (!read) continue;
          const message = (body: unknown) =>
            `id: ${read.position ?? ''}\nevent: journey\ndata: ${JSON.stringify(body)}\n\n`;
          let clear: string | undefined;
          let masked: string | undefined;
          let pushed = 0;
          for (const stream of streams) {
            if (stream.channel !== channel || stream.sent === read.position) continue;
            stream.sent = read.position;
            this.write(stream, stream.clear ? (clear ??= message(read.body)) : (masked ??= message(redact(read.body))));
            pushed++;
          }
          if (pushed > 0) traceSsePush(pushed, read.position);
        }
      } while (this.stale.has(customerId));
    })().finally(() => this.refreshing.delete(customerId));
  }

  /**
   * Without a projector here that sees every commit, changes are looked for by polling: the view's
   * checkpoint (one row), and only when it moved, the positions of the streamed customers' documents.
   */
  private watch(): void {
    if (this.poller || this.progress.followsEveryCommit()) return;
    this.poller = setInterval(
      () =>
        void this.poll().catch((error: unknown) =>
          this.logger.warn({ error: errorFields(error) }, 'cannot look for changes of streamed views'),
        ),
      POLL_MS,
    );
    this.poller.unref();
  }

  private async poll(): Promise<void> {
    if (this.open === 0 || this.progress.followsEveryCommit()) {
      if (this.poller) clearInterval(this.poller);
      this.poller = null;
      return;
    }
    const checkpoint = await this.progress.position(VIEW);
    if (checkpoint === this.seenCheckpoint) return;
    this.seenCheckpoint = checkpoint;
    const positions = await this.store.documentPositions(VIEW, [...this.byCustomer.keys()]);
    for (const [customerId, position] of positions) {
      if (this.seenPositions.get(customerId) === position) continue;
      this.seenPositions.set(customerId, position);
      this.refresh(customerId);
    }
  }

  private beat(): void {
    for (const streams of this.byCustomer.values()) for (const stream of streams) this.write(stream, ': heartbeat\n\n');
  }

  /**
   * Writes, unless what waits for the client from before is past the bound: it is not reading,
   * and is dropped. Judged before writing, so a client that reads gets views of any size, and one
   * that does not holds at most the bound and one message.
   */
  private write(stream: Stream, chunk: string): void {
    const { response } = stream;
    if (response.destroyed || response.writableEnded) return;
    if (response.writableLength > this.config.sse.maxBufferBytes) {
      this.metrics.sseDropped.inc();
      this.logger.warn(
        { buffered: response.writableLength, limit: this.config.sse.maxBufferBytes },
        'dropped a stream whose client does not read',
      );
      response.destroy();
      return;
    }
    response.write(chunk);
  }

  private closed(stream: Stream): void {
    const streams = this.byCustomer.get(stream.customerId);
    if (!streams?.delete(stream)) return;
    this.open--;
    if (streams.size === 0) {
      this.byCustomer.delete(stream.customerId);
      this.seenPositions.delete(stream.customerId);
    }
    if (!stream.response.writableEnded) stream.response.end();
    // Streams leave Fastify's lifecycle: counted here, when they end.
    countHttpRequest(this.metrics, stream.reply.request, 200);
  }
}
