import { hlsModuleUrl } from './hls-loader';

const page = (content: string | null) => ({
  querySelector: (selector: string) =>
    selector === 'meta[name="hoot-hls"]' && content !== null
      ? ({ getAttribute: (name: string) => (name === 'content' ? content : null) } as unknown as Element)
      : null,
});

describe('hlsModuleUrl', () => {
  it("imports the build's content-hashed /hls.js named in index.html", () => {
    expect(hlsModuleUrl(page('/hls.js?v=nmjIIZCYEwVPlCUb'))).toBe('/hls.js?v=nmjIIZCYEwVPlCUb');
  });

  it('falls back to /hls.js without the meta tag', () => {
    expect(hlsModuleUrl(page(null))).toBe('/hls.js');
  });

  it.each(['https://evil.example/hls.js', '//evil.example/hls.js', '/hls.js?v=a"b', '/other.js', 'data:,x'])(
    'never imports another script (%s): only /hls.js of this origin',
    (content) => {
      expect(hlsModuleUrl(page(content))).toBe('/hls.js');
    },
  );
});
