import { box, largeBox, u32 } from '../testing/fmp4-builder';
import { BoxFormatError, BoxStreamSplitter, children, descend, readBoxHeader, readBoxes } from './box-reader';

describe('box reader', () => {
  it('reads boxes laid end to end, with their payload offsets', () => {
    const bytes = Buffer.concat([box('ftyp', Buffer.from('iso5')), box('free')]);
    expect(readBoxes(bytes)).toEqual([
      { type: 'ftyp', start: 0, payloadStart: 8, end: 12 },
      { type: 'free', start: 12, payloadStart: 20, end: 20 },
    ]);
  });

  it('reads the 64-bit largesize form', () => {
    const bytes = largeBox('mdat', Buffer.alloc(5, 1));
    expect(readBoxHeader(bytes, 0)).toEqual({ type: 'mdat', start: 0, payloadStart: 16, end: 21 });
  });

  it('walks containers: children and a path of types', () => {
    const moov = box('moov', box('trak', box('mdia', box('mdhd', u32(7)))), box('mvex'));
    const [root] = readBoxes(moov);
    expect(children(moov, root).map((b) => b.type)).toEqual(['trak', 'mvex']);
    const mdhd = descend(moov, root, 'trak', 'mdia', 'mdhd');
    expect(mdhd && moov.readUInt32BE(mdhd.payloadStart)).toBe(7);
    expect(descend(moov, root, 'trak', 'minf')).toBeUndefined();
  });

  it('waits for more bytes when a box is incomplete, and refuses what cannot be a box', () => {
    const whole = box('moof', Buffer.alloc(20));
    expect(readBoxHeader(whole.subarray(0, 10), 0)).toBeUndefined();
    expect(readBoxHeader(whole.subarray(0, 4), 0)).toBeUndefined();
    expect(() => readBoxes(whole.subarray(0, 10))).toThrow(BoxFormatError);
    expect(() => readBoxHeader(Buffer.concat([u32(0), Buffer.from('mdat')]), 0)).toThrow(/size 0/);
    expect(() => readBoxHeader(Buffer.concat([u32(4), Buffer.from('moof')]), 0)).toThrow(/below its header/);
    expect(() => readBoxHeader(Buffer.concat([u32(8), Buffer.from([0, 1, 2, 3])]), 0)).toThrow(
      /not a box type/,
    );
  });

  it('splits a byte stream into top-level boxes whatever the chunking', () => {
    const stream = Buffer.concat([
      box('ftyp', Buffer.from('iso5')),
      box('moov', box('trak')),
      box('mdat', Buffer.alloc(100, 2)),
    ]);
    for (const chunkSize of [1, 3, 7, 64, stream.length]) {
      const splitter = new BoxStreamSplitter();
      const seen: string[] = [];
      let bytes = 0;
      for (let i = 0; i < stream.length; i += chunkSize) {
        for (const b of splitter.push(stream.subarray(i, i + chunkSize))) {
          seen.push(b.type);
          bytes += b.bytes.length;
        }
      }
      expect(seen).toEqual(['ftyp', 'moov', 'mdat']);
      expect(bytes).toBe(stream.length);
      expect(splitter.bufferedBytes).toBe(0);
    }
  });
});
