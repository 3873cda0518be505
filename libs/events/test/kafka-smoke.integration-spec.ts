import { integrationInfra, uniqueTopic } from '@hoot/testing';
import { createKafka, describeKafkaCluster } from '../src';

/**
 * Proves the real broker works with our client the way we rely on it: admin, idempotent producer with
 * acks=all, and a consumer group that reads everything back in per-key order.
 */
describe('Kafka smoke (real broker)', () => {
  const { kafkaBrokers } = integrationInfra();
  const kafka = createKafka({ brokers: kafkaBrokers, clientId: 'smoke', logLevel: 'error' });

  it('describes the cluster', async () => {
    const cluster = await describeKafkaCluster(kafkaBrokers);
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.brokers[0].host).toBe('127.0.0.1');
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('creates a topic, produces 1,000 keyed messages idempotently and reads them back in per-key order', async () => {
    const topic = uniqueTopic('hoot.smoke');
    const admin = kafka.admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        topics: [{ topic, numPartitions: 3 }],
        waitForLeaders: true,
      });
      expect(created).toBe(true);
      expect(await admin.listTopics()).toContain(topic);
    } finally {
      await admin.disconnect();
    }

    const keys = Array.from({ length: 10 }, (_, i) => `conf-${i}`);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    try {
      for (let batch = 0; batch < 10; batch++) {
        const messages = Array.from({ length: 100 }, (_, i) => {
          const n = batch * 100 + i;
          const key = keys[n % keys.length];
          return { key, value: JSON.stringify({ key, seq: Math.floor(n / keys.length) }) };
        });
        const acks = await producer.send({ topic, acks: -1, messages });
        expect(acks.every((ack) => ack.errorCode === 0)).toBe(true);
      }
    } finally {
      await producer.disconnect();
    }

    const seen = new Map<string, number[]>();
    let total = 0;
    const consumer = kafka.consumer({ groupId: uniqueTopic('smoke-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const all = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const { key, seq } = JSON.parse(message.value!.toString()) as { key: string; seq: number };
          expect(message.key?.toString()).toBe(key);
          seen.set(key, [...(seen.get(key) ?? []), seq]);
          total += 1;
          if (total === 1_000) resolve();
        },
      });
    });
    try {
      await all;
    } finally {
      await consumer.disconnect();
    }

    expect(total).toBe(1_000);
    expect([...seen.keys()].sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(seen.get(key)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    }
  });
});
