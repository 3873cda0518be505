import type { Admin } from 'kafkajs';

/**
 * Creates `topic` with `partitions` partitions unless it exists. An existing topic is left as it is, even
 * with another partition count: adding partitions would move keys and break per-key order.
 * Resolves once the broker reports the topic's partitions (so producing to it works at once).
 */
export async function ensureTopic(admin: Admin, topic: string, partitions: number): Promise<void> {
  if (!Number.isSafeInteger(partitions) || partitions < 1)
    throw new RangeError(`bad partition count ${partitions}`);
  const existing = await admin.listTopics();
  if (!existing.includes(topic)) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: partitions, replicationFactor: -1 }],
      });
    } catch (error) {
      // Another producer or consumer created it in the meantime.
      if ((error as { type?: string }).type !== 'TOPIC_ALREADY_EXISTS') throw error;
    }
  }
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  if (!metadata.topics[0] || metadata.topics[0].partitions.length === 0) {
    throw new Error(`topic ${topic} has no partitions yet`);
  }
}
