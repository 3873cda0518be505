/** One Kafka message as `JournaledProducer` hands it to its sender. */
export interface CcesMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * Where `JournaledProducer` sends journaled events (the Kafka seam; `KafkaCcesSender` in production, a fake
 * in unit specs). `send` resolves only once every message is acknowledged by all in-sync replicas, and must
 * keep the order of `messages` per key.
 */
export interface CcesSender {
  ensureTopic(topic: string): Promise<void>;
  send(topic: string, messages: readonly CcesMessage[]): Promise<void>;
  close(): Promise<void>;
}
