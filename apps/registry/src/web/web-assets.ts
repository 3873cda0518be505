import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** The files of the built web app the registry serves, by their URL name. Nothing else is read. */
export const WEB_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
  'app.css.map': 'application/json; charset=utf-8',
} as const;

export type WebFileName = keyof typeof WEB_FILES;

export interface WebFile {
  body: Buffer;
  contentType: string;
  etag: string;
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
    const file = { body, contentType: WEB_FILES[name], etag };
    this.cache.set(name, { key, file });
    return file;
  }
}
