import { Partitioners, type Admin } from 'kafkajs';

/**
 * Settings of the journey topic when this adapter creates it: the log is the system of record,
 * so nothing expires, and a write counts once every in-sync replica has it.
 */
export const JOURNEY_TOPIC_CONFIG: Record<string, string> = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'retention.bytes': '-1',
  'min.insync.replicas': '1',
  'message.timestamp.type': 'CreateTime',
};

/** Creates the journey topic if it is missing; answers its partition count. */
export async function ensureJourneyTopic(admin: Admin, topic: string, partitions: number): Promise<number> {
  const topics = await admin.listTopics();
  if (!topics.includes(topic)) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: partitions,
          configEntries: Object.entries(JOURNEY_TOPIC_CONFIG).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  }
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  return metadata.topics[0].partitions.length;
}

/**
 * The partition Kafka's default partitioner gives a journey id (the record key), computed up front so an appender
 * knows where each record goes before it sends.
 */
export function journeyPartitioner(topic: string, partitionCount: number): (journeyId: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitionCount }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
  return (journeyId) => partitioner({ topic, partitionMetadata, message: { key: journeyId, value: null } });
}
