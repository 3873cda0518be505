import { COREMX_ID_PATTERN } from './cces-fields';

/** Kafka topic of one CoreMX's events. */
export function cceTopicFor(coremxId: string): string {
  if (!COREMX_ID_PATTERN.test(coremxId)) throw new RangeError(`not a CoreMX id: ${JSON.stringify(coremxId)}`);
  return `hoot.coremx.${coremxId}.events`;
}

/**
 * Every CCES topic (and no dead-letter topic), for a pattern subscription. Group 1 is the CoreMX id.
 * No `g` flag: kafkajs calls `test` on it repeatedly.
 */
export const CCES_TOPIC_PATTERN = /^hoot\.coremx\.([a-z0-9][a-z0-9-]{0,62})\.events$/;

/** The CoreMX id a CCES topic names, or undefined for any other topic. */
export function coremxIdFromTopic(topic: string): string | undefined {
  return CCES_TOPIC_PATTERN.exec(topic)?.[1];
}

/** Where consumers of `topic` park the messages they cannot accept. */
export function deadLetterTopicFor(topic: string): string {
  if (!/^[A-Za-z0-9._-]{1,240}$/.test(topic))
    throw new RangeError(`not a topic name: ${JSON.stringify(topic)}`);
  return `${topic}.dlq`;
}
