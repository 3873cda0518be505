/**
 * A small ISO-BMFF (ISO/IEC 14496-12) box reader: just what the packager needs to cut ffmpeg's fragmented
 * MP4 into an init segment and moof+mdat fragments, and to read the few fields HLS needs (track kinds,
 * timescales, decode times, sample durations, sync flags). No I/O; every function works on Buffers.
 */

/** One box: its four-character type, where it starts in the buffer it was read from, and its size. */
export interface Box {
  type: string;
  /** Offset of the box header in the source buffer. */
  start: number;
  /** Offset of the first payload byte (after size, type, and the 64-bit size when present). */
  payloadStart: number;
  /** Offset just past the box. */
  end: number;
}

export class BoxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BoxFormatError';
  }
}

const HEADER = 8;

/**
 * Reads the header of the box at `offset`. Returns undefined when fewer bytes than the whole box are
 * available (a stream has to wait for more); throws on a header that cannot be a box.
 * `size == 0` (box runs to the end of the file) is refused: a live stream has no end to run to.
 */
export function readBoxHeader(buffer: Buffer, offset: number, limit = buffer.length): Box | undefined {
  if (limit - offset < HEADER) return undefined;
  const size32 = buffer.readUInt32BE(offset);
  const type = buffer.toString('latin1', offset + 4, offset + 8);
  let size = size32;
  let payloadStart = offset + HEADER;
  if (size32 === 1) {
    if (limit - offset < HEADER + 8) return undefined;
    const large = buffer.readBigUInt64BE(offset + HEADER);
    if (large > BigInt(Number.MAX_SAFE_INTEGER)) throw new BoxFormatError(`box '${type}' is too large`);
    size = Number(large);
    payloadStart += 8;
  } else if (size32 === 0) {
    throw new BoxFormatError(`box '${type}' has size 0 (to end of file): not allowed in a live stream`);
  }
  if (!/^[\x20-\x7e]{4}$/.test(type)) throw new BoxFormatError(`not a box type at offset ${offset}`);
  if (size < payloadStart - offset)
    throw new BoxFormatError(`box '${type}' has size ${size}, below its header`);
  if (limit - offset < size) return undefined;
  return { type, start: offset, payloadStart, end: offset + size };
}

/** The boxes laid end to end in `[start, end)` of `buffer`; throws if they do not fill it exactly. */
export function readBoxes(buffer: Buffer, start = 0, end = buffer.length): Box[] {
  const boxes: Box[] = [];
  let offset = start;
  while (offset < end) {
    const box = readBoxHeader(buffer, offset, end);
    if (!box) throw new BoxFormatError(`truncated box at offset ${offset}`);
    boxes.push(box);
    offset = box.end;
  }
  return boxes;
}

/** The children of a container box (`moov`, `trak`, `moof`, …). */
export function children(buffer: Buffer, box: Box): Box[] {
  return readBoxes(buffer, box.payloadStart, box.end);
}

/** The first child of `box` of `type`, or undefined. */
export function child(buffer: Buffer, box: Box, type: string): Box | undefined {
  return children(buffer, box).find((c) => c.type === type);
}

/** Follows a path of types from `box` (`child(child(box, 'mdia'), 'mdhd')`); undefined if any step is missing. */
export function descend(buffer: Buffer, box: Box, ...path: string[]): Box | undefined {
  let current: Box | undefined = box;
  for (const type of path) {
    if (!current) return undefined;
    current = child(buffer, current, type);
  }
  return current;
}

/** Version and flags of a full box (the first four payload bytes). */
export function fullBoxHeader(buffer: Buffer, box: Box): { version: number; flags: number } {
  if (box.end - box.payloadStart < 4) throw new BoxFormatError(`full box '${box.type}' is too short`);
  return {
    version: buffer.readUInt8(box.payloadStart),
    flags: buffer.readUIntBE(box.payloadStart + 1, 3),
  };
}

/**
 * Splits a byte stream (chunks of any size, as a pipe delivers them) into top-level boxes. Keeps only the
 * bytes of the box still incomplete.
 */
export class BoxStreamSplitter {
  private pending: Buffer = Buffer.alloc(0);

  /** Adds bytes; returns every top-level box completed by them, each as its own Buffer. */
  push(chunk: Buffer): { type: string; bytes: Buffer }[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: { type: string; bytes: Buffer }[] = [];
    let offset = 0;
    for (;;) {
      const box = readBoxHeader(this.pending, offset);
      if (!box) break;
      out.push({ type: box.type, bytes: this.pending.subarray(box.start, box.end) });
      offset = box.end;
    }
    if (offset > 0) {
      // Copy the remainder so completed boxes do not pin a growing buffer (and vice versa).
      this.pending = Buffer.from(this.pending.subarray(offset));
    }
    return out;
  }

  /** Bytes received that do not form a whole box yet. */
  get bufferedBytes(): number {
    return this.pending.length;
  }
}
