import type { Clock, MediaKind } from '@hoot/domain';
import type { HlsStreamAccess } from '@hoot/contracts';
import type {
  IceCandidateLike,
  MediaEnvironment,
  MediaStreamLike,
  PeerConnectionLike,
  TransceiverLike,
} from './media-environment';
import { preferH264, prefersH264 } from './media-plan';
import type { CounterProgress } from './media-health';
import type { MediaRoomSession, MediaSessionEvents } from './media-session.types';

/**
 * The plumbing of media connections to CASH: a `Link` (one RTCPeerConnection with the candidates that
 * wait for its remote description or for the server's answer), and `MediaLinks`, which creates links,
 * runs the offer/answer of a publish or a subscription and trickles ICE both ways. It also holds
 * `MediaContext`, what every media unit (local devices, screen share, p2p call) shares with the
 * `MediaSession` that owns them: the room, the browser, the clock, the step queue and the event sink.
 */

/** A candidate in the wire shape CASH accepts. */
export type WireCandidate = { candidate: string; sdpMid: string; sdpMLineIndex: number };

export interface Link {
  pc: PeerConnectionLike;
  /** Candidates that arrived before the remote description. */
  pending: IceCandidateLike[];
  remoteSet: boolean;
  /** Our candidates gathered before the server knew the connection (sent once it answered). */
  outbox?: WireCandidate[];
  sendCandidate?: (candidate: WireCandidate) => void;
  stream?: MediaStreamLike;
  /** When the answer was applied (the health check starts counting then). */
  answeredAt?: number;
  /** Each counter at the last health check, and when it last grew. */
  progress: Map<string, CounterProgress>;
}

/** What the media units share with the `MediaSession` that owns them. */
export interface MediaContext {
  readonly env: MediaEnvironment;
  readonly session: MediaRoomSession;
  readonly clock: Clock;
  /** True once `MediaSession.close` ran. */
  isClosed(): boolean;
  emit<K extends keyof MediaSessionEvents>(event: K, payload: MediaSessionEvents[K]): void;
  /** Runs `task` in turn with the other media steps; a failure is reported as `error` of `step`. */
  enqueue(step: string, task: () => Promise<void> | void): Promise<void>;
  /** The LL-HLS access we play a publisher's stream with instead of WebRTC (`hlsAccessFor`), if any. */
  hlsAccess(publisherId: string, stream: 'screen' | undefined): HlsStreamAccess | undefined;
}

/** A browser candidate in the wire shape CASH accepts; the end-of-candidates marker is not sent. */
export function toWireCandidate(c: IceCandidateLike | null): WireCandidate | undefined {
  if (!c || !c.candidate) return undefined;
  return { candidate: c.candidate, sdpMid: c.sdpMid ?? '0', sdpMLineIndex: c.sdpMLineIndex ?? 0 };
}

export class MediaLinks {
  constructor(private readonly ctx: MediaContext) {}

  /**
   * A connection to the media server for `publisherId` (ourselves = our publish endpoint), for its camera
   * or (`'screen'`) its shared screen.
   */
  create(publisherId: string, stream?: 'screen'): Link {
    const pc = this.ctx.env.createPeerConnection();
    const link: Link = {
      pc,
      pending: [],
      remoteSet: false,
      outbox: [],
      progress: new Map(),
    };
    const send = (c: WireCandidate) =>
      void this.ctx.session
        .addIceCandidate(publisherId, c, stream)
        .catch((error: unknown) => this.ctx.emit('error', { error, step: 'ice' }));
    link.sendCandidate = send;
    pc.onicecandidate = (event) => {
      const c = toWireCandidate(event.candidate);
      if (!c) return;
      // CASH takes candidates for a publish or subscription once it has answered it.
      if (link.outbox) link.outbox.push(c);
      else send(c);
    };
    return link;
  }

  /**
   * In p2m rooms (packaged as HLS, which wants H.264) asks the browser to offer H.264 first on the video
   * transceiver we send on. Where the browser cannot (no `setCodecPreferences`, no capabilities, no
   * H.264, a refusal) nothing changes: the media server takes what the browser offers.
   */
  preferVideoCodec(transceiver: unknown): void {
    if (!prefersH264(this.ctx.session.room.type)) return;
    const t = transceiver as TransceiverLike | null | undefined;
    if (typeof t?.setCodecPreferences !== 'function') return;
    try {
      const codecs = this.ctx.env.codecCapabilities?.('video');
      if (!codecs?.some((c) => c.mimeType.toLowerCase() === 'video/h264')) return;
      t.setCodecPreferences(preferH264(codecs));
    } catch {
      // A browser that refuses the list offers its own order.
    }
  }

  async addCandidate(link: Link, candidate: IceCandidateLike): Promise<void> {
    if (!link.remoteSet) {
      link.pending.push(candidate);
      return;
    }
    await link.pc
      .addIceCandidate(candidate)
      .catch((error: unknown) => this.ctx.emit('error', { error, step: 'ice' }));
  }

  async applyAnswer(link: Link, sdp: string): Promise<void> {
    await link.pc.setRemoteDescription({ type: 'answer', sdp });
    link.answeredAt = this.ctx.clock.now();
    await this.flush(link);
  }

  /** The remote description is set: our held candidates go out, the peer's held ones are added. */
  async flush(link: Link): Promise<void> {
    link.remoteSet = true;
    const outbox = link.outbox;
    link.outbox = undefined;
    for (const c of outbox ?? []) link.sendCandidate?.(c);
    for (const candidate of link.pending.splice(0)) await this.addCandidate(link, candidate);
  }

  /** Our offer on `link`, `ask` sends it to CASH, and its SDP answer is applied. */
  async offerAndAnswer(
    link: Link,
    ask: (sdpOffer: string) => Promise<{ sdpAnswer?: string }>,
    what: string,
  ): Promise<void> {
    const offer = await link.pc.createOffer();
    await link.pc.setLocalDescription(offer);
    const { sdpAnswer } = await ask(offer.sdp ?? '');
    if (typeof sdpAnswer !== 'string') throw new Error(`${what} was not answered with an SDP`);
    await this.applyAnswer(link, sdpAnswer);
  }

  /**
   * A receive-only connection for one stream of a publisher (its camera, or its screen), kept in `links`
   * while it lives: offer, answer, and `onStream` for the stream its tracks fill. A failure forgets it.
   */
  async receive(
    publisherId: string,
    source: 'screen' | undefined,
    links: Map<string, Link>,
    kinds: readonly MediaKind[],
    onStream: (stream: MediaStreamLike) => void,
  ): Promise<void> {
    const link = this.create(publisherId, source);
    links.set(publisherId, link);
    const stream = this.ctx.env.createMediaStream();
    link.stream = stream;
    link.pc.ontrack = (event) => {
      stream.addTrack(event.track);
      if (links.get(publisherId) === link) onStream(stream);
    };
    for (const kind of kinds) link.pc.addTransceiver(kind, { direction: 'recvonly' });
    try {
      const session = this.ctx.session;
      const ask = (sdp: string) =>
        source ? session.subscribe(publisherId, sdp, source) : session.subscribe(publisherId, sdp);
      await this.offerAndAnswer(link, ask, 'subscribe');
    } catch (error) {
      if (links.get(publisherId) === link) links.delete(publisherId);
      link.pc.close();
      throw error;
    }
  }
}
