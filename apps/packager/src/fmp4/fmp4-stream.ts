import { BoxStreamSplitter, BoxFormatError } from './box-reader';
import { parseFragment, parseInit, type FragmentInfo, type InitInfo } from './fmp4-parser';

export interface Fmp4Sink {
  onInit(bytes: Buffer, info: InitInfo): void;
  onFragment(bytes: Buffer, info: FragmentInfo): void;
}

/** Boxes that may precede a `moof` and belong to its fragment. */
const FRAGMENT_PREFIX = new Set(['styp', 'prft', 'emsg']);
/** Boxes of no use to HLS once the stream runs (ffmpeg writes `mfra` at the end, `sidx` with some flags). */
const IGNORED = new Set(['free', 'skip', 'mfra', 'sidx', 'uuid']);

/**
 * Turns the fragmented MP4 byte stream ffmpeg writes to its stdout into an init segment (`ftyp` + `moov`)
 * and fragments (`moof` + `mdat`), each parsed, for the segmenter.
 */
export class Fmp4Stream {
  private readonly splitter = new BoxStreamSplitter();
  private initParts: Buffer[] = [];
  private init: InitInfo | undefined;
  private fragmentParts: Buffer[] = [];

  constructor(private readonly sink: Fmp4Sink) {}

  push(chunk: Buffer): void {
    for (const { type, bytes } of this.splitter.push(chunk)) this.onBox(type, bytes);
  }

  private onBox(type: string, bytes: Buffer): void {
    if (!this.init) {
      if (type === 'ftyp') {
        this.initParts = [bytes];
        return;
      }
      if (type === 'moov') {
        const initBytes = Buffer.concat([...this.initParts, bytes]);
        this.init = parseInit(initBytes);
        this.initParts = [];
        this.sink.onInit(initBytes, this.init);
        return;
      }
      if (IGNORED.has(type)) return;
      throw new BoxFormatError(`'${type}' before the init segment`);
    }
    if (type === 'moof' || FRAGMENT_PREFIX.has(type)) {
      this.fragmentParts.push(bytes);
      return;
    }
    if (type === 'mdat') {
      if (this.fragmentParts.length === 0) throw new BoxFormatError('mdat without a moof');
      const fragment = Buffer.concat([...this.fragmentParts, bytes]);
      this.fragmentParts = [];
      this.sink.onFragment(fragment, parseFragment(fragment, this.init));
      return;
    }
    if (IGNORED.has(type)) return;
    throw new BoxFormatError(`unexpected top-level box '${type}'`);
  }
}
