import type { LocalMedia } from './media-local';
import { toWireCandidate, type Link, type MediaContext, type MediaLinks } from './media-links';
import { p2pSides, publishKinds } from './media-plan';
import type { MediaP2pSignal } from './media-session.types';

/** The direct connection of a p2p call, with the peer it goes to. */
export type P2pLink = Link & { peerId: string };

/**
 * The direct connection of a p2p call: no media server, the offer, answer and candidates travel as
 * `p2p-signal`s relayed by CASH. Only the callee offers; the caller answers when the offer arrives. The
 * connection sends our camera and microphone (from `LocalMedia`) and emits the peer's stream as
 * `remote-stream`; it is closed when either side leaves the call.
 */
export class P2pCall {
  private call: P2pLink | undefined;

  constructor(
    private readonly ctx: MediaContext,
    private readonly links: MediaLinks,
    private readonly local: LocalMedia,
  ) {}

  /** The call's connection, while there is one. */
  get link(): P2pLink | undefined {
    return this.call;
  }

  /** The call in line with the room: closed when it is over or the peer changed, offered by the callee. */
  async reconcile(): Promise<void> {
    const me = this.ctx.session.participantId;
    const sides = p2pSides(this.ctx.session.room, me);
    if (!sides) {
      if (this.call) this.close();
      return;
    }
    if (this.call && this.call.peerId !== sides.peerId) this.close();
    // Only the callee offers; the caller answers when the offer arrives.
    if (!this.call && sides.offererId === me) {
      const link = await this.open(sides.peerId);
      const offer = await link.pc.createOffer();
      await link.pc.setLocalDescription(offer);
      await this.ctx.session.p2pSignal({ kind: 'offer', sdp: offer.sdp ?? '' });
    }
  }

  async onSignal(from: string, signal: MediaP2pSignal): Promise<void> {
    if (signal.kind === 'offer') {
      if (this.call) this.close();
      const link = await this.open(from);
      await link.pc.setRemoteDescription({ type: 'offer', sdp: signal.sdp });
      await this.links.flush(link);
      const answer = await link.pc.createAnswer();
      await link.pc.setLocalDescription(answer);
      await this.ctx.session.p2pSignal({ kind: 'answer', sdp: answer.sdp ?? '' });
      return;
    }
    const link = this.call;
    if (!link || link.peerId !== from) return;
    if (signal.kind === 'answer') return this.links.applyAnswer(link, signal.sdp);
    await this.links.addCandidate(link, signal.candidate);
  }

  close(): void {
    if (!this.call) return;
    const { peerId, pc } = this.call;
    this.call = undefined;
    pc.close();
    this.ctx.emit('remote-stream-removed', { participantId: peerId });
  }

  private async open(peerId: string): Promise<P2pLink> {
    const pc = this.ctx.env.createPeerConnection();
    const link: P2pLink = {
      pc,
      pending: [],
      remoteSet: false,
      peerId,
      progress: new Map(),
    };
    this.call = link;
    pc.onicecandidate = (event) => {
      const c = toWireCandidate(event.candidate);
      if (c && this.call === link)
        void this.ctx.session
          .p2pSignal({ kind: 'candidate', candidate: c })
          .catch((error: unknown) => this.ctx.emit('error', { error, step: 'p2p-candidate' }));
    };
    const stream = this.ctx.env.createMediaStream();
    pc.ontrack = (event) => {
      stream.addTrack(event.track);
      link.stream = stream;
      if (this.call === link) this.ctx.emit('remote-stream', { participantId: peerId, stream });
    };
    const kinds = publishKinds('p2p', 'publisher');
    const local = await this.local.ensure(kinds);
    for (const track of local.getTracks()) pc.addTrack(track, local);
    return link;
  }
}
