import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { BackboneError } from '#errors';
import { journeyViewProjection } from '#journey-projections';
import type { JourneyReader, ProjectionProgress } from '#journey-read';
import type { PositionCodec } from '#journey-log';
import type { Reactor } from '#projection-runtime';
import { POLICY_SUBJECT_PREFIX, type JourneyEvent } from '#schemas';

/** The topic's settings when created here: one record per customer kept (the latest), a tombstone removes it. */
export const VIEWS_TOPIC_CONFIG: Record<string, string> = {
  'cleanup.policy': 'compact',
  'min.insync.replicas': '1',
  // A tombstone stays a day for readers catching up, then the key is gone from the topic.
  'delete.retention.ms': '86400000',
};

const VIEW = journeyViewProjection.name;

/** How long a batch waits for the journey view projection to reach its events before it is tried again. */
const PROJECTION_WAIT_MS = 10_000;

export interface JourneyViewsTopicOptions {
  brokers: string[];
  clientId: string;
  topic: string;
  /** Partitions when the topic is created here. */
  partitions: number;
  reader: Pick<JourneyReader, 'journeys'>;
  progress: Pick<ProjectionProgress, 'waitFor'>;
  /** The log's positions: a batch spans partitions, and the projection must have reached every one of them. */
  positions: PositionCodec;
}

/**
 * The journey views on a compacted Kafka topic (key: customer id; value: the view as `GET .../journey` answers it;
 * a tombstone once the customer is erased), for channels that live on Kafka. Written by a reactor that follows the
 * log behind the journey view projection: at least once, so a key's last record is its view as of the head.
 */
export class JourneyViewsTopic {
  private readonly kafka: Kafka;
  private producer: Producer | null = null;

  constructor(private readonly options: JourneyViewsTopicOptions) {
    this.kafka = new Kafka({
      clientId: `${options.clientId}-views`,
      brokers: options.brokers,
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 2000 },
    });
  }

  /** Creates the topic (compacted) when missing, refuses one that is not compacted, and connects. */
  async start(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await this.ensureTopic(admin);
    } finally {
      await admin.disconnect();
    }
    this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await this.producer.connect();
  }

  private async ensureTopic(admin: Admin): Promise<void> {
    const { topic, partitions } = this.options;
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: partitions,
            configEntries: Object.entries(VIEWS_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
          },
        ],
      });
    }
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* TOPIC */, name: topic, configNames: ['cleanup.policy'] }],
    });
    const policy = described.resources[0]?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
    if (!policy?.split(',').includes('compact'))
      throw new BackboneError(
        'configuration_invalid',
        `VIEWS_TOPIC ${topic} exists with cleanup.policy=${policy ?? '?'}: ` +
          `it must be compacted (cleanup.policy=compact)`,
      );
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }

  /** The reactor writing the topic: from the start of the log (the topic holds every customer's view). */
  reactor(): Reactor {
    return {
      name: 'journey-views-topic',
      canHandle: journeyViewProjection.canHandle,
      startFrom: 'beginning',
      maxAttempts: 10,
      retryDelayMs: 500,
      timeoutMs: 60_000,
      handle: (event, context) => this.publish([{ event, position: context.position }]),
      handleBatch: (events) => this.publish(events),
    };
  }

  /** Writes the views of the batch's customers, once the view projection has applied its events. */
  private async publish(events: ReadonlyArray<{ event: JourneyEvent; position: string }>): Promise<void> {
    const customers = [...new Set(events.map((e) => e.event.subject))].filter(
      (id) => !id.startsWith(POLICY_SUBJECT_PREFIX),
    );
    if (customers.length === 0) return;
    const { positions } = this.options;
    const upTo = events.reduce<string | null>((at, e) => positions.merge(at, e.position), null)!;
    await this.options.progress.waitFor(VIEW, upTo, PROJECTION_WAIT_MS);
    const views = await this.options.reader.journeys(customers);
    const records = customers.flatMap((key) => {
      const view = views.get(key);
      if (view === undefined) return [];
      return [{ key, value: view === 'erased' ? null : JSON.stringify(view) }];
    });
    if (!this.producer) throw new BackboneError('log_unavailable', 'the views topic producer is not connected');
    if (records.length > 0) await this.producer.send({ topic: this.options.topic, acks: -1, messages: records });
  }
}
