import { buildFragment, buildInit, box, NON_SYNC_FLAGS, SyntheticStream } from '../testing/fmp4-builder';
import { BoxFormatError } from './box-reader';
import { parseFragment, parseInit } from './fmp4-parser';
import { Fmp4Stream } from './fmp4-stream';

const init = buildInit([
  { id: 1, handler: 'vide', timescale: 90_000 },
  {
    id: 2,
    handler: 'soun',
    timescale: 48_000,
    defaultSampleDuration: 1024,
    defaultSampleFlags: NON_SYNC_FLAGS,
  },
]);

describe('fMP4 parser', () => {
  it('reads the tracks of an init segment: id, handler, timescale, trex defaults', () => {
    expect(parseInit(init).tracks).toEqual([
      { id: 1, handler: 'vide', timescale: 90_000, defaultSampleDuration: 0, defaultSampleFlags: 0 },
      {
        id: 2,
        handler: 'soun',
        timescale: 48_000,
        defaultSampleDuration: 1024,
        defaultSampleFlags: NON_SYNC_FLAGS,
      },
    ]);
  });

  it('reads a fragment: sequence, decode time, sample count, summed duration, sync of the first sample', () => {
    const fragment = buildFragment(7, [
      { trackId: 1, baseMediaDecodeTime: 2 ** 33, durations: [3000, 3003], firstIsSync: true },
      { trackId: 2, baseMediaDecodeTime: 4096, durations: [1024, 1024, 1024], firstIsSync: false },
    ]);
    expect(parseFragment(fragment, parseInit(init))).toEqual({
      sequenceNumber: 7,
      tracks: [
        { trackId: 1, baseMediaDecodeTime: 2 ** 33, sampleCount: 2, duration: 6003, startsWithSync: true },
        { trackId: 2, baseMediaDecodeTime: 4096, sampleCount: 3, duration: 3072, startsWithSync: false },
      ],
    });
  });

  it('refuses a fragment of an unknown track, a moof without mdat, and an init without moov', () => {
    const info = parseInit(init);
    const stranger = buildFragment(1, [
      { trackId: 9, baseMediaDecodeTime: 0, durations: [1], firstIsSync: true },
    ]);
    expect(() => parseFragment(stranger, info)).toThrow(/unknown track 9/);
    const moofOnly = buildFragment(1, [
      { trackId: 1, baseMediaDecodeTime: 0, durations: [1], firstIsSync: true },
    ]);
    expect(() => parseFragment(moofOnly.subarray(0, moofOnly.length - 28), info)).toThrow(BoxFormatError);
    expect(() => parseInit(box('ftyp', Buffer.from('iso5')))).toThrow(/missing 'moov'/);
  });

  it('turns a byte stream into one init and its fragments, in order, across any chunking', () => {
    const synthetic = new SyntheticStream();
    const fragments = [synthetic.next(), synthetic.next(), synthetic.next()];
    const bytes = Buffer.concat([synthetic.init, ...fragments]);
    const seen: string[] = [];
    const reader = new Fmp4Stream({
      onInit: (b, info) => seen.push(`init ${b.length} ${info.tracks.length}`),
      onFragment: (b, info) => seen.push(`fragment ${info.sequenceNumber} ${b.length}`),
    });
    for (let i = 0; i < bytes.length; i += 13) reader.push(bytes.subarray(i, i + 13));
    expect(seen).toEqual([
      `init ${synthetic.init.length} 2`,
      `fragment 1 ${fragments[0].length}`,
      `fragment 2 ${fragments[1].length}`,
      `fragment 3 ${fragments[2].length}`,
    ]);
  });

  it('refuses media before the init segment', () => {
    const reader = new Fmp4Stream({ onInit: () => undefined, onFragment: () => undefined });
    expect(() => reader.push(box('mdat', Buffer.alloc(4)))).toThrow(/before the init segment/);
  });
});
