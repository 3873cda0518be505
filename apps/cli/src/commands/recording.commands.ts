import type { RecordingCommandAnswer, RecordingList, RecordingSummary } from '@hoot/sdk';
import { CONFERENCE_ID_PATTERN, parseConferenceAddress } from '@hoot/domain';
import type { CommandContext, CommandSpec } from '../cli.context';
import { usageError } from '../errors/cli.error';
import { renderTable, type Column } from '../output/table.renderer';

/** The conference operand: a `hoot.mx://` address or a conference id, checked here for a clear usage error. */
function conferenceOperand(ctx: CommandContext): string {
  const target = ctx.operands[0];
  if (!target) throw usageError('an ADDRESS (hoot.mx://…) or conference ID is required');
  if (target.includes('://')) {
    const parsed = parseConferenceAddress(target);
    if (!parsed.ok) throw usageError(`not a conference address: ${parsed.message}`);
  } else if (!CONFERENCE_ID_PATTERN.test(target)) {
    throw usageError(`not a conference id or hoot.mx:// address: '${target}'`);
  }
  return target;
}

/** Seconds as `h:mm:ss` (`0:04:58`); fractions are dropped. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const two = (n: number) => String(n).padStart(2, '0');
  return `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
}

function stopped(r: { stoppedAt?: string; stopReason?: string }): string {
  if (!r.stoppedAt) return '(recording)';
  return r.stopReason && r.stopReason !== 'stopped' ? `${r.stoppedAt} (${r.stopReason})` : r.stoppedAt;
}

/** One row per recorded stream; a recording without streams (yet) is one row too. */
interface Row {
  recording: RecordingSummary;
  stream?: RecordingSummary['streams'][number];
}

const RECORDING_COLUMNS: readonly Column<Row>[] = [
  { header: 'recording', value: (r) => r.recording.recordingId },
  { header: 'started', value: (r) => r.recording.startedAt },
  { header: 'stopped', value: (r) => stopped(r.recording) },
  { header: 'stream', value: (r) => r.stream && `${r.stream.participantId}/${r.stream.stream}` },
  { header: 'duration', value: (r) => r.stream && formatDuration(r.stream.durationS), align: 'right' },
  { header: 'state', value: (r) => r.stream && (r.stream.stopReason ?? r.stream.state) },
  { header: 'playback', value: (r) => r.stream?.playbackUrl },
];

const rowsOf = (list: RecordingList): Row[] =>
  list.recordings.flatMap((recording) =>
    recording.streams.length ? recording.streams.map((stream) => ({ recording, stream })) : [{ recording }],
  );

export const recordingGroup: CommandSpec = {
  path: ['recording'],
  summary: "start or stop recording a conference's live room (owner only)",
  usage: 'recording start|stop ADDRESS|ID',
  operands: [],
  options: [],
};

function recordingCommand(action: 'start' | 'stop'): CommandSpec {
  return {
    path: ['recording', action],
    summary:
      action === 'start'
        ? 'start recording the live room of your conference'
        : 'stop recording the live room of your conference',
    usage: `recording ${action} ADDRESS|ID`,
    operands: ['ADDRESS'],
    options: [],
    details:
      'ADDRESS is a hoot.mx://<conference>@<mixer> address or a conference id. Only the owner may; someone\n' +
      'must be in the room (conference.not-live otherwise). Every stream published in the room is recorded\n' +
      "until 'recording stop', the end of the call, or a full recording volume (RECORDING_STORAGE_FULL).",
    examples: [
      `hoot recording ${action} standup`,
      `hoot recording ${action} hoot.mx://standup@coremx-1.c1.hoot.mx`,
    ],
    async run(ctx) {
      const target = conferenceOperand(ctx);
      const client = await ctx.client();
      const answer: RecordingCommandAnswer = await ctx.progress(
        action === 'start' ? 'starting…' : 'stopping…',
        client.recording(target, action),
      );
      if (ctx.format === 'json') {
        ctx.printJson(answer);
        return;
      }
      ctx.print(
        answer.state === 'recording'
          ? `Recording ${answer.recordingId} of ${answer.conferenceId} started.\n`
          : `Recording ${answer.recordingId} of ${answer.conferenceId} stopped${answer.stopReason && answer.stopReason !== 'stopped' ? ` (${answer.stopReason})` : ''}.\n`,
      );
    },
  };
}

export const recordingStartCommand = recordingCommand('start');
export const recordingStopCommand = recordingCommand('stop');

export const recordingsCommand: CommandSpec = {
  path: ['recordings'],
  summary: "list a conference's recordings: each stream's duration and playback URL",
  usage: 'recordings ADDRESS|ID',
  operands: ['ADDRESS'],
  options: [],
  details:
    'One line per recorded stream (participant/camera or screen). PLAYBACK is an HLS playlist signed for\n' +
    'you: open it in a player (ffplay, VLC, Safari) before it expires (-o json: playbackExpiresAt); list\n' +
    'again for a fresh one. Anyone who may join the conference may list its recordings.',
  examples: ['hoot recordings standup', 'hoot recordings hoot.mx://standup@coremx-1.c1.hoot.mx -o json'],
  async run(ctx) {
    const target = conferenceOperand(ctx);
    const client = await ctx.client();
    const list = await ctx.progress('listing…', client.recordings(target));
    if (ctx.format === 'json') {
      ctx.printJson(list);
      return;
    }
    if (!list.recordings.length) {
      ctx.print(`No recordings of ${list.conferenceId}.\n`);
      return;
    }
    ctx.print(renderTable(RECORDING_COLUMNS, rowsOf(list), { color: ctx.color }));
  },
};
