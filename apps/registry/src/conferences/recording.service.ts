import {
  CashErrorCode,
  cashProblemCode,
  httpStatusOf,
  type RecordingCommandAnswer,
  type RecordingCommandInput,
  type RecordingList,
} from '@hoot/contracts';
import { ConferenceErrorCode as C, RoomErrorCode, isEntitled, type ConferenceRecord } from '@hoot/domain';
import type { CoreMxView } from '../gcas/registry-node';
import { CashCallError, cashApiUrlOf, type CashRecordingClient } from './cash.client';
import type { ConferenceRecords } from './conference-records';
import {
  ConferenceError,
  conferenceNotFound as notFound,
  type ConferenceFailureCode,
} from './conference.error';
import { readRecordingCommandAnswer, readRecordingList } from './recording-answers';

export interface RecordingServiceOptions {
  records: ConferenceRecords;
  /** Where each CoreMX is (the placement's view of the GCAS). */
  placement: { find(coremxId: string): CoreMxView | undefined };
  cash: CashRecordingClient;
  log: { info(data: object, message: string): void; warn(data: object, message: string): void };
}

const RETRY_AFTER_S = 5;
/** While a CoreMX fails over (suspect, or down and not yet re-homed). */
const FAILOVER_RETRY_AFTER_S = 1;

/** CASH's codes as its service API spells them (`cash.already-recording`) and as the catalogue does. */
const CASH_CODES = new Map<string, CashErrorCode | RoomErrorCode>(
  [...Object.values(CashErrorCode), ...Object.values(RoomErrorCode)].flatMap((code) => [
    [code, code],
    [cashProblemCode(code), code],
  ]),
);

/**
 * Recording a conference's room (issue 18), forwarded to the CASH that hosts it. The registry decides who
 * may: the owner starts and stops (`conference.not-owner` for anyone else who may see it), anyone entitled
 * to join lists and plays; a conference the caller may not see is `conference.not-found` either way.
 * CASH's refusals keep their catalogue code (`ALREADY_RECORDING` 409, …); no live room is
 * `conference.not-live`; an answer that is not a recording answer never leaves (503).
 */
export class RecordingService {
  constructor(private readonly o: RecordingServiceOptions) {}

  async command(
    identity: string,
    conferenceId: string,
    input: RecordingCommandInput,
  ): Promise<RecordingCommandAnswer> {
    const record = await this.visible(identity, conferenceId);
    if (record.owner !== identity)
      throw new ConferenceError(C.NotOwner, 'only the owner may start or stop recording');
    if (record.status === 'ended')
      throw new ConferenceError(C.Ended, `the conference ${conferenceId} has ended`);
    const coremx = this.o.placement.find(record.coremxId);
    if (!coremx) throw notLive(conferenceId);
    this.usable(coremx, conferenceId);
    let answer: unknown;
    try {
      answer = await this.o.cash.recording(cashApiUrlOf(coremx), conferenceId, {
        action: input.action,
        by: identity,
      });
    } catch (error) {
      throw this.refusal(error, conferenceId, coremx, true);
    }
    const read = readRecordingCommandAnswer(answer, conferenceId, input.action);
    if (!read.ok) throw this.invalidAnswer(conferenceId, coremx, read.reason);
    this.o.log.info(
      { conferenceId, by: identity, action: input.action, recordingId: read.value.recordingId },
      `recording ${input.action === 'start' ? 'started' : 'stopped'} by the owner`,
    );
    return read.value;
  }

  /**
   * The conference's recordings, playback URLs signed for the caller. Also once the conference has
   * ended: its recordings outlive it (they are read where it was last hosted).
   */
  async list(identity: string, conferenceId: string): Promise<RecordingList> {
    const record = await this.visible(identity, conferenceId);
    const coremx = this.o.placement.find(record.coremxId);
    if (!coremx)
      throw new ConferenceError(
        C.CoreMxUnavailable,
        `the CoreMX that kept the recordings of ${conferenceId} is not known now; retry`,
        undefined,
        RETRY_AFTER_S,
      );
    this.usable(coremx, conferenceId);
    let answer: unknown;
    try {
      answer = await this.o.cash.recordings(cashApiUrlOf(coremx), conferenceId, identity);
    } catch (error) {
      throw this.refusal(error, conferenceId, coremx, false);
    }
    const read = readRecordingList(answer, conferenceId);
    if (!read.ok) throw this.invalidAnswer(conferenceId, coremx, read.reason);
    return read.value;
  }

  /** The conference if the caller may see it (owner, allowed, public): else not found, whether it exists or not. */
  private async visible(identity: string, conferenceId: string): Promise<ConferenceRecord> {
    const record = await this.o.records.get(conferenceId);
    if (!record || !isEntitled(record, identity)) throw notFound(conferenceId);
    return record;
  }

  private usable(coremx: CoreMxView, conferenceId: string): void {
    if (coremx.liveness === 'alive' && coremx.state !== 'down') return;
    throw new ConferenceError(
      C.CoreMxUnavailable,
      `the CoreMX of ${conferenceId} is not answering; the conference moves to another CoreMX: retry in a second`,
      { failover: true },
      FAILOVER_RETRY_AFTER_S,
    );
  }

  /** What the caller gets for a failed CASH call. */
  private refusal(
    error: unknown,
    conferenceId: string,
    coremx: CoreMxView,
    command: boolean,
  ): ConferenceError {
    if (!(error instanceof CashCallError)) throw error;
    const code = error.code === undefined ? undefined : CASH_CODES.get(error.code);
    if (command && code === CashErrorCode.RoomNotFound) return notLive(conferenceId);
    // CASH's own refusals pass on, but not one that speaks of credentials (401: the registry's, not the
    // caller's) or one that is no code of CASH's at all.
    if (code !== undefined && httpStatusOf(code) !== 401) {
      return new ConferenceError(
        code as ConferenceFailureCode,
        `the CoreMX refused: ${error.message}`,
        undefined,
        error.retryAfterS,
      );
    }
    this.o.log.warn(
      { conferenceId, coremxId: coremx.coremxId, err: error.message },
      'recording call to CASH failed',
    );
    return new ConferenceError(
      C.CoreMxUnavailable,
      `the CoreMX of ${conferenceId} could not answer now; retry`,
      undefined,
      error.retryAfterS ?? RETRY_AFTER_S,
    );
  }

  private invalidAnswer(conferenceId: string, coremx: CoreMxView, reason: string): ConferenceError {
    this.o.log.warn(
      { conferenceId, coremxId: coremx.coremxId, reason },
      'CASH answered a recording call with something that is not a recording answer',
    );
    return new ConferenceError(
      C.CoreMxUnavailable,
      `the CoreMX of ${conferenceId} gave an answer that is not a recording answer (${reason}); retry later`,
      { answerInvalid: true },
      RETRY_AFTER_S,
    );
  }
}

function notLive(conferenceId: string): ConferenceError {
  return new ConferenceError(C.NotLive, `nobody is in ${conferenceId} now: there is no live room to record`);
}
