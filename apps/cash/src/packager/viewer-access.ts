/**
 * Viewer tokens CASH signs for the packager (`@hoot/auth-kit` `signViewerToken`, the key both hold): one
 * conference, one stream, `ttlS` seconds. A playlist URL is the packager's public base + the stream's
 * playlist path + `?token=…`; every URI inside the playlist carries the same token.
 */
import { signViewerToken } from '@hoot/auth-kit';
import type { Clock } from '@hoot/domain';

export interface SignedPlaylist {
  url: string;
  expiresAt: string;
}

export class ViewerAccess {
  constructor(
    private readonly options: { publicUrl: string; viewerTokenKey: Buffer; ttlS: number; clock: Clock },
  ) {}

  get ttlS(): number {
    return this.options.ttlS;
  }

  /** A playlist URL for one stream with a fresh token. */
  sign(conferenceId: string, streamId: string, playlistPath: string): SignedPlaylist {
    const exp = Math.floor(this.options.clock.now() / 1000) + this.options.ttlS;
    const token = signViewerToken(this.options.viewerTokenKey, { conferenceId, streamId, exp });
    const path = playlistPath.startsWith('/') ? playlistPath : `/${playlistPath}`;
    return {
      url: `${this.options.publicUrl.replace(/\/+$/, '')}${path}?token=${encodeURIComponent(token)}`,
      expiresAt: new Date(exp * 1000).toISOString(),
    };
  }
}
