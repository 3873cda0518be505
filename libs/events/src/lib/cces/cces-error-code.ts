/**
 * Stable codes for everything that can go wrong with a CCES event: consumers, dead-letter headers and
 * CASH's readiness branch on these, never on messages. Never rename one, only add.
 */
export enum CcesErrorCode {
  /** The message has no value. */
  Empty = 'cces.empty',
  /** The value is larger than `CCES_MAX_VALUE_BYTES`. */
  TooLarge = 'cces.too-large',
  /** The value is not JSON. */
  Malformed = 'cces.malformed',
  /** The envelope is missing a field, has an unknown one, or a field of the wrong type or size. */
  InvalidEnvelope = 'cces.invalid-envelope',
  /** `type` is not one of the contracts of this library. */
  UnknownType = 'cces.unknown-type',
  /** `schemaVersion` is not the one this library knows for that type. */
  UnsupportedVersion = 'cces.unsupported-version',
  /** The message key is not the envelope's `conferenceId`. */
  KeyMismatch = 'cces.key-mismatch',
  /** The envelope's `coremxId` is not the one named by the topic it was read from. */
  TopicMismatch = 'cces.topic-mismatch',
  /** `data` does not match the contract of the event type. */
  InvalidData = 'cces.invalid-data',
  /** The journal on disk cannot be read back (a broken line that is not the torn tail). */
  JournalCorrupt = 'cces.journal-corrupt',
  /** Another live producer holds the journal folder. */
  JournalLocked = 'cces.journal-locked',
  /** The journal holds `maxBacklog` unsent events: publishing is refused until Kafka takes some. */
  JournalFull = 'cces.journal-full',
  /** Writing to the journal failed; the producer refuses further events until it is reopened. */
  JournalFailed = 'cces.journal-failed',
  /** The producer was closed. */
  ProducerClosed = 'cces.producer-closed',
}

/** An error with a stable `code` (see `CcesErrorCode`). */
export class CcesError extends Error {
  constructor(
    readonly code: CcesErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CcesError';
  }
}
