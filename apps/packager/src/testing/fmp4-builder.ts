/**
 * Builds small, valid fragmented-MP4 boxes for specs: an init segment (ftyp + moov with trak and trex)
 * and fragments (moof + mdat) with chosen sample durations and sync flags — the shape ffmpeg writes with
 * `-movflags +frag_keyframe+empty_moov+default_base_moof`.
 */
const u8 = (n: number) => Buffer.from([n & 0xff]);
export const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

export function box(type: string, ...payload: Buffer[]): Buffer {
  const body = Buffer.concat(payload);
  return Buffer.concat([u32(8 + body.length), Buffer.from(type, 'latin1'), body]);
}

export function fullBox(type: string, version: number, flags: number, ...payload: Buffer[]): Buffer {
  const vf = Buffer.concat([
    u8(version),
    Buffer.from([(flags >> 16) & 0xff, (flags >> 8) & 0xff, flags & 0xff]),
  ]);
  return box(type, vf, ...payload);
}

/** A box with the 64-bit `largesize` header form. */
export function largeBox(type: string, payload: Buffer): Buffer {
  return Buffer.concat([u32(1), Buffer.from(type, 'latin1'), u64(16 + payload.length), payload]);
}

export interface TrackSpec {
  id: number;
  handler: 'vide' | 'soun';
  timescale: number;
  defaultSampleDuration?: number;
  defaultSampleFlags?: number;
}

export function buildInit(tracks: TrackSpec[]): Buffer {
  const ftyp = box('ftyp', Buffer.from('iso5'), u32(512), Buffer.from('iso5iso6mp41'));
  const traks = tracks.map((t) =>
    box(
      'trak',
      fullBox('tkhd', 0, 3, u32(0), u32(0), u32(t.id), u32(0), u32(0), Buffer.alloc(60)),
      box(
        'mdia',
        fullBox('mdhd', 0, 0, u32(0), u32(0), u32(t.timescale), u32(0), u32(0)),
        fullBox('hdlr', 0, 0, u32(0), Buffer.from(t.handler), Buffer.alloc(12), Buffer.from('hoot\0')),
      ),
    ),
  );
  const trexes = tracks.map((t) =>
    fullBox(
      'trex',
      0,
      0,
      u32(t.id),
      u32(1),
      u32(t.defaultSampleDuration ?? 0),
      u32(0),
      u32(t.defaultSampleFlags ?? 0),
    ),
  );
  const moov = box('moov', fullBox('mvhd', 0, 0, Buffer.alloc(96)), ...traks, box('mvex', ...trexes));
  return Buffer.concat([ftyp, moov]);
}

/** ISO-BMFF sample flags: a sync sample, and a non-sync one (`sample_is_non_sync_sample`). */
export const SYNC_FLAGS = 0x02000000;
export const NON_SYNC_FLAGS = 0x01010000;

export interface TrafSpec {
  trackId: number;
  baseMediaDecodeTime: number;
  /** Per-sample durations (ticks). */
  durations: number[];
  /** Whether the first sample is a sync sample (the rest are not, for video). */
  firstIsSync: boolean;
}

export function buildFragment(sequenceNumber: number, trafs: TrafSpec[]): Buffer {
  const sampleSize = 10;
  const build = (dataOffset: number) =>
    box(
      'moof',
      fullBox('mfhd', 0, 0, u32(sequenceNumber)),
      ...trafs.map((t) =>
        box(
          'traf',
          fullBox('tfhd', 0, 0x020000, u32(t.trackId)),
          fullBox('tfdt', 1, 0, u64(t.baseMediaDecodeTime)),
          fullBox(
            'trun',
            0,
            0x001 | 0x004 | 0x100 | 0x200,
            u32(t.durations.length),
            u32(dataOffset),
            u32(t.firstIsSync ? SYNC_FLAGS : NON_SYNC_FLAGS),
            ...t.durations.flatMap((d) => [u32(d), u32(sampleSize)]),
          ),
        ),
      ),
    );
  const moof = build(0);
  const samples = trafs.reduce((n, t) => n + t.durations.length, 0);
  return Buffer.concat([build(moof.length + 8), box('mdat', Buffer.alloc(samples * sampleSize, 0xab))]);
}

/**
 * A synthetic A/V stream like ffmpeg's output: one fragment per video frame (90 kHz, `fps`), a keyframe
 * every `gop` frames, and the audio (48 kHz, 1024-sample AAC frames) that falls within each frame.
 */
export class SyntheticStream {
  readonly init = buildInit([
    { id: 1, handler: 'vide', timescale: 90_000 },
    { id: 2, handler: 'soun', timescale: 48_000 },
  ]);
  private frame = 0;
  private audioTicks = 0;
  private videoTicks = 0;

  constructor(
    private readonly fps = 30,
    private readonly gop = 30,
  ) {}

  /** The next fragment; `keyframe` overrides the GOP. */
  next(keyframe?: boolean): Buffer {
    const frameTicks = Math.round(90_000 / this.fps);
    const isKey = keyframe ?? this.frame % this.gop === 0;
    const videoEnd = this.videoTicks + frameTicks;
    const audioDurations: number[] = [];
    const audioStart = this.audioTicks;
    while ((this.audioTicks + 1024) / 48_000 <= videoEnd / 90_000) {
      audioDurations.push(1024);
      this.audioTicks += 1024;
    }
    const trafs: TrafSpec[] = [
      { trackId: 1, baseMediaDecodeTime: this.videoTicks, durations: [frameTicks], firstIsSync: isKey },
    ];
    if (audioDurations.length) {
      trafs.push({
        trackId: 2,
        baseMediaDecodeTime: audioStart,
        durations: audioDurations,
        firstIsSync: true,
      });
    }
    this.frame += 1;
    this.videoTicks = videoEnd;
    return buildFragment(this.frame, trafs);
  }
}
