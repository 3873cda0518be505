import { BoxFormatError, child, children, descend, fullBoxHeader, readBoxes, type Box } from './box-reader';

/** What the init segment says about one track. */
export interface TrackInfo {
  id: number;
  /** `vide`, `soun`, … (the `hdlr` handler type). */
  handler: string;
  /** Ticks per second of the track's media time. */
  timescale: number;
  /** `trex` defaults, used when a fragment does not carry its own. */
  defaultSampleDuration: number;
  defaultSampleFlags: number;
}

export interface InitInfo {
  tracks: TrackInfo[];
}

/** One track's run inside a fragment. */
export interface TrackFragmentInfo {
  trackId: number;
  /** `tfdt`: decode time of the first sample, in the track's timescale. */
  baseMediaDecodeTime: number;
  sampleCount: number;
  /** Sum of the sample durations, in the track's timescale. */
  duration: number;
  /** Whether the first sample is a sync sample (a keyframe for video; audio samples always are). */
  startsWithSync: boolean;
}

export interface FragmentInfo {
  sequenceNumber: number;
  tracks: TrackFragmentInfo[];
}

/** `sample_is_non_sync_sample` in ISO-BMFF sample flags. */
const NON_SYNC = 0x00010000;

function readVersioned(buffer: Buffer, offset: number, version: number): number {
  return version === 1 ? Number(buffer.readBigUInt64BE(offset)) : buffer.readUInt32BE(offset);
}

function need(box: Box | undefined, what: string): Box {
  if (!box) throw new BoxFormatError(`missing '${what}'`);
  return box;
}

function parseTrak(
  buffer: Buffer,
  trak: Box,
): Omit<TrackInfo, 'defaultSampleDuration' | 'defaultSampleFlags'> {
  const tkhd = need(child(buffer, trak, 'tkhd'), 'trak/tkhd');
  const { version: tkhdVersion } = fullBoxHeader(buffer, tkhd);
  const id = buffer.readUInt32BE(tkhd.payloadStart + 4 + (tkhdVersion === 1 ? 16 : 8));
  const mdhd = need(descend(buffer, trak, 'mdia', 'mdhd'), 'trak/mdia/mdhd');
  const { version: mdhdVersion } = fullBoxHeader(buffer, mdhd);
  const timescale = buffer.readUInt32BE(mdhd.payloadStart + 4 + (mdhdVersion === 1 ? 16 : 8));
  if (timescale === 0) throw new BoxFormatError(`track ${id} has timescale 0`);
  const hdlr = need(descend(buffer, trak, 'mdia', 'hdlr'), 'trak/mdia/hdlr');
  const handler = buffer.toString('latin1', hdlr.payloadStart + 8, hdlr.payloadStart + 12);
  return { id, handler, timescale };
}

/** Reads the tracks of an init segment (`ftyp` + `moov`, the `moov` holding `mvex/trex` defaults). */
export function parseInit(init: Buffer): InitInfo {
  const top = readBoxes(init);
  const moov = need(
    top.find((b) => b.type === 'moov'),
    'moov',
  );
  const defaults = new Map<number, { duration: number; flags: number }>();
  const mvex = child(init, moov, 'mvex');
  for (const trex of mvex ? children(init, mvex).filter((b) => b.type === 'trex') : []) {
    const p = trex.payloadStart + 4;
    defaults.set(init.readUInt32BE(p), {
      duration: init.readUInt32BE(p + 8),
      flags: init.readUInt32BE(p + 16),
    });
  }
  const tracks = children(init, moov)
    .filter((b) => b.type === 'trak')
    .map((trak) => {
      const track = parseTrak(init, trak);
      const d = defaults.get(track.id);
      return { ...track, defaultSampleDuration: d?.duration ?? 0, defaultSampleFlags: d?.flags ?? 0 };
    });
  if (tracks.length === 0) throw new BoxFormatError('moov has no track');
  return { tracks };
}

function parseTraf(buffer: Buffer, traf: Box, init: InitInfo): TrackFragmentInfo {
  const tfhd = need(child(buffer, traf, 'tfhd'), 'traf/tfhd');
  const { flags: tfhdFlags } = fullBoxHeader(buffer, tfhd);
  let p = tfhd.payloadStart + 4;
  const trackId = buffer.readUInt32BE(p);
  p += 4;
  const track = init.tracks.find((t) => t.id === trackId);
  if (!track) throw new BoxFormatError(`fragment for unknown track ${trackId}`);
  if (tfhdFlags & 0x01) p += 8; // base_data_offset
  if (tfhdFlags & 0x02) p += 4; // sample_description_index
  let defaultDuration = track.defaultSampleDuration;
  let defaultFlags = track.defaultSampleFlags;
  if (tfhdFlags & 0x08) {
    defaultDuration = buffer.readUInt32BE(p);
    p += 4;
  }
  if (tfhdFlags & 0x10) p += 4; // default_sample_size
  if (tfhdFlags & 0x20) defaultFlags = buffer.readUInt32BE(p);

  const tfdt = child(buffer, traf, 'tfdt');
  const baseMediaDecodeTime = tfdt
    ? readVersioned(buffer, tfdt.payloadStart + 4, fullBoxHeader(buffer, tfdt).version)
    : 0;

  let sampleCount = 0;
  let duration = 0;
  let firstFlags: number | undefined;
  for (const trun of children(buffer, traf).filter((b) => b.type === 'trun')) {
    const { flags } = fullBoxHeader(buffer, trun);
    let q = trun.payloadStart + 4;
    const count = buffer.readUInt32BE(q);
    q += 4;
    if (flags & 0x01) q += 4; // data_offset
    let firstSampleFlags: number | undefined;
    if (flags & 0x04) {
      firstSampleFlags = buffer.readUInt32BE(q);
      q += 4;
    }
    const perSample = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
    if (q + count * perSample > trun.end) throw new BoxFormatError(`trun of track ${trackId} is truncated`);
    for (let i = 0; i < count; i += 1) {
      let sampleDuration = defaultDuration;
      let sampleFlags = i === 0 && firstSampleFlags !== undefined ? firstSampleFlags : defaultFlags;
      if (flags & 0x100) {
        sampleDuration = buffer.readUInt32BE(q);
        q += 4;
      }
      if (flags & 0x200) q += 4;
      if (flags & 0x400) {
        const own = buffer.readUInt32BE(q);
        if (!(i === 0 && firstSampleFlags !== undefined)) sampleFlags = own;
        q += 4;
      }
      if (flags & 0x800) q += 4;
      duration += sampleDuration;
      if (firstFlags === undefined) firstFlags = sampleFlags;
    }
    sampleCount += count;
  }
  const startsWithSync = sampleCount > 0 && ((firstFlags ?? 0) & NON_SYNC) === 0;
  return { trackId, baseMediaDecodeTime, sampleCount, duration, startsWithSync };
}

/** Reads a fragment (`moof` followed by its `mdat`, possibly preceded by `styp`/`prft`). */
export function parseFragment(fragment: Buffer, init: InitInfo): FragmentInfo {
  const top = readBoxes(fragment);
  const moof = need(
    top.find((b) => b.type === 'moof'),
    'moof',
  );
  if (!top.some((b) => b.type === 'mdat')) throw new BoxFormatError('fragment has no mdat');
  const mfhd = need(child(fragment, moof, 'mfhd'), 'moof/mfhd');
  const sequenceNumber = fragment.readUInt32BE(mfhd.payloadStart + 4);
  const tracks = children(fragment, moof)
    .filter((b) => b.type === 'traf')
    .map((traf) => parseTraf(fragment, traf, init));
  return { sequenceNumber, tracks };
}
