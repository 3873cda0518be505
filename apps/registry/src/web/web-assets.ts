import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The files of the built web app the registry serves, by their URL name. Nothing else is read. */
export const WEB_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
  'app.css.map': 'application/json; charset=utf-8',
  // hls.js (an ES module the page imports only to play a p2m broadcast over LL-HLS), kept out of app.js
  'hls.js': 'text/javascript; charset=utf-8',
  'hls.js.map': 'application/json; charset=utf-8',
} as const;

export type WebFileName = keyof typeof WEB_FILES;

/** How a file may be sent: as is, or compressed (made once per file version, on first request). */
export type WebEncoding = 'br' | 'gzip' | 'identity';

export interface WebFile {
  body: Buffer;
  contentType: string;
  etag: string;
  /**
   * The content hash the app's index.html puts in its asset URLs (`/app.js?v=<version>`, written by
   * apps/web/build.mjs the same way): a request naming it may be cached for good.
   */
  version: string;
  /** The body in an encoding, compressed on first use and kept with the file. */
  encoded(encoding: WebEncoding): Buffer;
}

/** The first 16 characters of the base64url SHA-256 of a file (apps/web/build.mjs computes the same). */
export function contentVersion(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 16);
}

/**
 * The encoding to send for an `Accept-Encoding` header: brotli, else gzip, else none (q=0 refuses one).
 */
export function pickEncoding(acceptEncoding: string | undefined): WebEncoding {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((part) => part.trim().toLowerCase().split(';'))
      .filter(([, q]) => !q || !/^q=0(\.0*)?$/.test(q.trim()))
      .map(([name]) => name),
  );
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return 'identity';
}

/**
 * Reads the built web app (`node apps/web/build.mjs` → `dist/apps/web`) from `root`. A file is read once
 * and kept while its size and mtime stay the same, so a rebuild is picked up without a restart. Only
 * the names in `WEB_FILES` are ever read (no path from a request reaches the file system).
 */
export class WebAssets {
  readonly root: string;
  private readonly cache = new Map<WebFileName, { key: string; file: WebFile }>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file, or undefined when it does not exist (the app is not built). */
  async get(name: WebFileName): Promise<WebFile | undefined> {
    const path = join(this.root, name);
    let info;
    try {
      info = await stat(path);
    } catch {
      this.cache.delete(name);
      return undefined;
    }
    if (!info.isFile()) return undefined;
    const key = `${info.size}:${info.mtimeMs}`;
    const cached = this.cache.get(name);
    if (cached?.key === key) return cached.file;
    const body = await readFile(path);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const variants = new Map<WebEncoding, Buffer>([['identity', body]]);
    const file: WebFile = {
      body,
      contentType: WEB_FILES[name],
      etag,
      version: contentVersion(body),
      encoded(encoding) {
        let out = variants.get(encoding);
        if (!out) {
          out =
            encoding === 'br'
              ? brotliCompressSync(body, {
                  params: {
                    [constants.BROTLI_PARAM_QUALITY]: 11,
                    [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
                  },
                })
              : gzipSync(body, { level: 9 });
          variants.set(encoding, out);
        }
        return out;
      },
    };
    this.cache.set(name, { key, file });
    return file;
  }
}
