import {
  validateRecordingCommand,
  type RecordedStream,
  type RecordingCommandAnswer,
  type RecordingCommandInput,
  type RecordingList,
  type RecordingSummary,
} from '@hoot/contracts';
import { HootException, StrictValidationPipe } from '@hoot/service-kit';
import {
  RecordedStreamDto,
  RecordingCommandAnswerDto,
  RecordingCommandDto,
  RecordingListDto,
  RecordingSummaryDto,
} from './recording.dto';
import type { RecordingsController } from './recordings.controller';
import type { RecordingService } from './recording.service';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Answer<M extends (...args: never[]) => unknown> = Awaited<ReturnType<M>>;

/** Compile-time: the recording DTOs and answers are the contract's types (a `false` does not compile). */
const contract: Record<string, true> = {
  commandBody: true satisfies Same<RecordingCommandDto, RecordingCommandInput>,
  commandAnswer: true satisfies Same<RecordingCommandAnswerDto, RecordingCommandAnswer>,
  stream: true satisfies Same<RecordedStreamDto, RecordedStream>,
  summary: true satisfies Same<RecordingSummaryDto, RecordingSummary>,
  list: true satisfies Same<RecordingListDto, RecordingList>,
  serviceCommand: true satisfies Same<Answer<RecordingService['command']>, RecordingCommandAnswer>,
  serviceList: true satisfies Same<Answer<RecordingService['list']>, RecordingList>,
  controllerCommand: true satisfies Same<Answer<RecordingsController['command']>, RecordingCommandAnswer>,
  controllerList: true satisfies Same<Answer<RecordingsController['list']>, RecordingList>,
};

const pipe = new StrictValidationPipe();

async function byDto(value: unknown): Promise<string[]> {
  try {
    await pipe.transform(value, { type: 'body', metatype: RecordingCommandDto });
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(HootException);
    const fields = ((error as HootException).details?.fields ?? []) as Array<{ field: string }>;
    return fields.map((f) => f.field).sort();
  }
}

describe('the recording API contract', () => {
  it('holds the DTOs and answers to the contract types (compile time)', () => {
    expect(Object.values(contract).every(Boolean)).toBe(true);
  });

  it('refuses and accepts the same command bodies as the contract validator', async () => {
    for (const body of [
      { action: 'start' },
      { action: 'stop' },
      { action: 'pause' },
      { action: 1 },
      {},
      { action: 'start', by: 'acc_bob' },
      [],
      'start',
    ]) {
      const check = validateRecordingCommand(body);
      expect([body, await byDto(body)]).toEqual([
        body,
        check.ok ? [] : check.fields.map((f) => f.field).sort(),
      ]);
    }
  });
});
