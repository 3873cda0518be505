import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { MediaKind } from '../stream/rtp-sdp';
import { completePlaylistText, RECORDING_FILES } from './vod-playlist';

/** Why a recording ended before it was stopped. */
export type RecordingEndReason = 'storage-full' | 'failed';

/** `stream.json`: what a recorded stream is, kept beside its media (the listing reads it). */
export interface RecordedStreamMeta {
  recordingId: string;
  conferenceId: string;
  streamId: string;
  stage: string;
  userId: string;
  kinds: MediaKind[];
  /** ISO 8601. */
  startedAt: string;
  endedAt?: string;
  /** Seconds of media kept. */
  durationS: number;
  /** Bytes of the folder (media, playlist, this file). */
  bytes: number;
  state: 'recording' | 'complete';
  stopReason?: RecordingEndReason;
  /** The viewer route of its VOD playlist (add `?token=…`). */
  playlistPath: string;
}

/** The file operations the store uses (a seam: specs make writes fail with ENOSPC or EIO). */
export type RecordingFs = Pick<
  typeof nodeFs,
  'mkdir' | 'writeFile' | 'rename' | 'readFile' | 'readdir' | 'stat' | 'rm'
>;

/** Ids that become folder names: no dots first, so never `.` or `..`. */
export const RECORDING_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const CONFERENCE_ID = /^[a-z0-9][a-z0-9-]{2,63}$/;

export function recordingPlaylistPath(conferenceId: string, recordingId: string, streamId: string): string {
  return `/recordings/${conferenceId}/${recordingId}/${streamId}/${RECORDING_FILES.playlist}`;
}

/** What a failed write means: a full disk (or quota) is `storage-full`, anything else `failed`. */
export function endReasonOf(error: unknown): RecordingEndReason {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' ? 'storage-full' : 'failed';
}

/**
 * The recording folder (`PACKAGER_RECORDING_DIR`): `{conferenceId}/{recordingId}/{streamId}/` per
 * recorded stream, and the byte budget of the whole folder (`PACKAGER_RECORDING_MAX_BYTES`), counted
 * from a scan at start and kept up to date by every write.
 */
export class RecordingStore {
  usedBytes = 0;
  private refusedBytes: number | undefined;

  constructor(
    readonly dir: string,
    readonly maxBytes: number,
    private readonly logger: Logger,
    readonly fs: RecordingFs = nodeFs,
  ) {}

  /** Creates the folder, counts what it holds, and completes recordings a dead packager left open. */
  async init(): Promise<void> {
    await this.fs.mkdir(this.dir, { recursive: true });
    this.usedBytes = await this.sizeOf(this.dir);
    for (const conferenceId of await this.entries(this.dir)) {
      for (const meta of await this.list(conferenceId)) {
        if (meta.state === 'recording') await this.completeLeftover(meta).catch(() => undefined);
      }
    }
    this.logger.info(
      { dir: this.dir, usedBytes: this.usedBytes, maxBytes: this.maxBytes },
      'recording folder ready',
    );
  }

  folderOf(conferenceId: string, recordingId: string, streamId: string): string {
    return join(this.dir, conferenceId, recordingId, streamId);
  }

  /** Whether `bytes` more fit under the limit. */
  fits(bytes: number): boolean {
    return this.usedBytes + bytes <= this.maxBytes;
  }

  /**
   * Full: nothing is left, or the last write refused for the limit would still not fit (a new
   * recording would end at its first segment).
   */
  get full(): boolean {
    return (
      this.usedBytes >= this.maxBytes || (this.refusedBytes !== undefined && !this.fits(this.refusedBytes))
    );
  }

  /** A write of `bytes` was refused for the limit. */
  refuse(bytes: number): void {
    this.refusedBytes = bytes;
  }

  /** Counts bytes written (or, negative, given back). */
  account(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes + bytes);
  }

  async readMeta(
    conferenceId: string,
    recordingId: string,
    streamId: string,
  ): Promise<RecordedStreamMeta | undefined> {
    try {
      const text = await this.fs.readFile(
        join(this.folderOf(conferenceId, recordingId, streamId), RECORDING_FILES.meta),
        'utf8',
      );
      return JSON.parse(text) as RecordedStreamMeta;
    } catch {
      return undefined;
    }
  }

  /** Every recorded stream of a conference, from disk (oldest first). */
  async list(conferenceId: string): Promise<RecordedStreamMeta[]> {
    if (!CONFERENCE_ID.test(conferenceId)) return [];
    const found: RecordedStreamMeta[] = [];
    const conferenceDir = join(this.dir, conferenceId);
    for (const recordingId of await this.entries(conferenceDir)) {
      for (const streamId of await this.entries(join(conferenceDir, recordingId))) {
        const meta = await this.readMeta(conferenceId, recordingId, streamId);
        if (meta) found.push(meta);
      }
    }
    return found.sort(
      (a, b) => a.startedAt.localeCompare(b.startedAt) || a.streamId.localeCompare(b.streamId),
    );
  }

  /** Writes a small file whole (a temporary file renamed over it); answers its size. */
  async writeAtomic(file: string, content: string): Promise<number> {
    const temporary = `${file}.tmp`;
    await this.fs.writeFile(temporary, content);
    await this.fs.rename(temporary, file);
    return Buffer.byteLength(content);
  }

  private async completeLeftover(meta: RecordedStreamMeta): Promise<void> {
    const folder = this.folderOf(meta.conferenceId, meta.recordingId, meta.streamId);
    const playlist = join(folder, RECORDING_FILES.playlist);
    const text = await this.fs.readFile(playlist, 'utf8').catch(() => undefined);
    if (text !== undefined) await this.writeAtomic(playlist, completePlaylistText(text));
    const completed: RecordedStreamMeta = {
      ...meta,
      state: 'complete',
      stopReason: meta.stopReason ?? 'failed',
      endedAt: meta.endedAt ?? new Date().toISOString(),
    };
    await this.writeAtomic(join(folder, RECORDING_FILES.meta), JSON.stringify(completed, null, 2));
    this.logger.warn(
      { recordingId: meta.recordingId, streamId: meta.streamId },
      'recording left open by an earlier run: completed (stopReason failed)',
    );
  }

  private async entries(dir: string): Promise<string[]> {
    try {
      const entries = await this.fs.readdir(dir, { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      return [];
    }
  }

  private async sizeOf(dir: string): Promise<number> {
    let total = 0;
    let entries;
    try {
      entries = await this.fs.readdir(dir, { withFileTypes: true });
    } catch {
      return 0;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) total += await this.sizeOf(path);
      else if (entry.isFile()) total += (await this.fs.stat(path).catch(() => ({ size: 0 }))).size;
    }
    return total;
  }
}
