import type { HlsJsClass } from '@hoot/sdk';

/**
 * Loads hls.js the first time the page plays a broadcast: `/hls.js`, an ES module the build makes beside
 * app.js (named by its content hash in index.html's `<meta name="hoot-hls">`), so the page everyone loads
 * does not carry it. One load per page; a failed load is tried again on the next stream.
 */
let loading: Promise<HlsJsClass> | undefined;

export function hlsModuleUrl(doc: Pick<Document, 'querySelector'> = document): string {
  const content = doc.querySelector('meta[name="hoot-hls"]')?.getAttribute('content');
  // Only a path of this origin: the page's policy allows no other script anyway.
  return content && /^\/hls\.js(\?v=[A-Za-z0-9_-]+)?$/.test(content) ? content : '/hls.js';
}

export function loadHlsFromPage(): Promise<HlsJsClass> {
  loading ??= (
    import(/* non-literal: not bundled */ hlsModuleUrl()) as Promise<{ default: HlsJsClass }>
  ).then(
    (mod) => mod.default,
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}
