import {
  applyRoomPatch,
  RoomErrorCode,
  type Clock,
  type MediaKind,
  type ParticipantView,
  type RoomPatch,
  type RoomView,
  type StreamSource,
  type TimerHandle,
} from '@hoot/domain';
import { Emitter } from './emitter';
import { joinOverSignaling, type ConnectionSink, type Ticket } from './room-connection';
import { pushEvent, roomChangeEvents, streamField, type RoomEvent } from './room-events';
import { RoomStreams } from './room-session-streams';
import { classifyJoinFailure, reconnectPause, reconnectPolicyOf } from './room-reconnect';
import { SdkError, SdkErrorCode } from './sdk-error-codes';
import { SignalingClient, SignalingError, type SignalingClose } from './signaling-client';
import {
  SignalingCloseCode,
  type ClientSignal,
  type HlsStreamAccess,
  type IceCandidate,
  type P2pPeers,
  type P2pSignal,
  type RecordingStatus,
  type ServerPush,
  type SignalAnswerOf,
} from '@hoot/contracts';
import { globalWebSocket, type WebSocketLike } from './web-socket';

import type {
  JoinRoomOptions,
  ReconnectPolicy,
  ReconnectReason,
  RoomCloseReason,
  RoomSessionClient,
  RoomSessionEvents,
  RoomSessionState,
} from './room-session.types';

export * from './room-session.types';

/**
 * The observed room: one participant's live session in a conference. It keeps `room` (the room view
 * of the CoreMX, patched as changes arrive), derives events from each change, sends commands, and joins
 * again on its own when the connection is lost (a CoreMX crash, a missed patch): `reconnecting`, then
 * `reconnected` (maybe on another CoreMX, once the registry has re-homed the conference). Created by
 * `HootClient.joinRoom`.
 */
export class RoomSession extends Emitter<RoomSessionEvents> {
  private view!: RoomView;
  private ownId!: string;
  private sessionState: RoomSessionState = 'joined';
  private why: RoomCloseReason | undefined;
  private signaling: SignalingClient | undefined;
  private peers: P2pPeers | undefined;
  /** The live HLS streams we may play and the recording (kept across token renewals and reconnections). */
  private readonly streams = new RoomStreams();
  private currentAddress: string;
  private currentCoremx: string | undefined;
  private currentUrl: string | undefined;
  private readonly clock: Clock;
  private readonly policy: ReconnectPolicy | undefined;
  private sleeping: { timer: TimerHandle; wake: () => void } | undefined;
  /** Where the current connection's traffic goes (`joinOverSignaling`). */
  private readonly sink: ConnectionSink = {
    isCurrent: (sig) => this.signaling === sig,
    onPush: (push) => this.onPush(push),
    onClose: (info) => this.onClose(info),
    onError: (error) => this.emit('error', error),
  };

  private constructor(
    private readonly client: RoomSessionClient,
    address: string,
    private readonly WebSocketCtor: WebSocketLike,
    private readonly options: JoinRoomOptions,
  ) {
    super();
    this.clock = client.clock;
    this.currentAddress = address;
    this.policy = reconnectPolicyOf(options.reconnect);
  }

  /** Joins `address`: a ticket from the registry, the signaling connection, `join`. Rejects if any step fails. */
  static async connect(
    client: RoomSessionClient,
    address: string,
    options: JoinRoomOptions = {},
  ): Promise<RoomSession> {
    const WebSocketCtor = options.WebSocket ?? client.webSocketClass() ?? globalWebSocket();
    const session = new RoomSession(client, address, WebSocketCtor, options);
    const ticket = options.joinAnswer ?? (await client.join(address));
    (await session.attach(ticket))();
    return session;
  }

  /** The room view (a snapshot at `room.version`; replaced, never mutated). */
  get room(): RoomView {
    return this.view;
  }

  /** This participant's id in the room (changes when the session joins again). */
  get participantId(): string {
    return this.ownId;
  }

  /** This participant as the room shows it. */
  get me(): ParticipantView | undefined {
    return Object.hasOwn(this.view.participants, this.ownId) ? this.view.participants[this.ownId] : undefined;
  }

  /** Whether this participant owns the room (may approve, deny, end). */
  get isOwner(): boolean {
    return this.view.ownerId === this.ownId;
  }

  get state(): RoomSessionState {
    return this.sessionState;
  }

  /** Why the session closed (undefined while it is not closed). */
  get closeReason(): RoomCloseReason | undefined {
    return this.why;
  }

  /** The conference's current address (it changes when the conference moves). */
  get address(): string {
    return this.currentAddress;
  }

  /** The CoreMX holding the room (as the registry said), and its signaling URL. */
  get coremxId(): string | undefined {
    return this.currentCoremx;
  }

  get signalingUrl(): string | undefined {
    return this.currentUrl;
  }

  /** Caller, callee and offerer in a p2p call. */
  get p2p(): P2pPeers | undefined {
    return this.peers;
  }

  /**
   * The live LL-HLS streams of other participants this session may play (p2m rooms whose CoreMX has a
   * packager), each with its newest access (a renewal replaces the `playlistUrl`, same `streamId`).
   */
  get hlsStreams(): HlsStreamAccess[] {
    return this.streams.hlsStreams;
  }

  /** The recording under way, if any. */
  get recording(): RecordingStatus | undefined {
    return this.streams.recording;
  }

  // ---- commands ----------------------------------------------------------------------------------

  /** Publishes `kinds`: with an SDP offer in SFU rooms (answered with `sdpAnswer`), without in p2p. */
  async publish(kinds: MediaKind[], sdpOffer?: string): Promise<{ sdpAnswer?: string }> {
    const answer = await this.send({
      type: 'publish',
      kinds,
      ...(sdpOffer !== undefined ? { sdpOffer } : {}),
    });
    return answer.type === 'publish-answer' ? { sdpAnswer: answer.sdpAnswer } : {};
  }

  /** Stops publishing the camera, or (`'screen'`) the shared screen. */
  async unpublish(stream?: StreamSource): Promise<void> {
    await this.send({ type: 'unpublish', ...streamField(stream) });
  }

  /**
   * Receives a publisher's stream (its camera, or its shared screen); ICE candidates follow as `ice`
   * events with that `publisherId` (and `stream`).
   */
  async subscribe(
    publisherId: string,
    sdpOffer: string,
    stream?: StreamSource,
  ): Promise<{ sdpAnswer: string }> {
    const answer = await this.send({ type: 'subscribe', publisherId, ...streamField(stream), sdpOffer });
    return { sdpAnswer: answer.sdpAnswer };
  }

  async unsubscribe(publisherId: string, stream?: StreamSource): Promise<void> {
    await this.send({ type: 'unsubscribe', publisherId, ...streamField(stream) });
  }

  /** A local ICE candidate for your publish endpoint (`publisherId` = your id) or a subscription. */
  async addIceCandidate(publisherId: string, candidate: IceCandidate, stream?: StreamSource): Promise<void> {
    await this.send({ type: 'ice', publisherId, ...streamField(stream), candidate });
  }

  async raiseHand(): Promise<void> {
    await this.send({ type: 'raise-hand' });
  }

  async lowerHand(): Promise<void> {
    await this.send({ type: 'lower-hand' });
  }

  /** Owner only: makes a participant with a raised hand a publisher. */
  async approve(participantId: string): Promise<void> {
    await this.send({ type: 'approve', target: participantId });
  }

  async deny(participantId: string): Promise<void> {
    await this.send({ type: 'deny', target: participantId });
  }

  /**
   * Publishers only: removes a participant (never the owner nor the conference's creator); its identity
   * cannot join this room again until the owner calls `unban`.
   */
  async kick(participantId: string): Promise<void> {
    await this.send({ type: 'kick', target: participantId });
  }

  /** The owner (or the creator): lets a kicked identity join again. */
  async unban(identity: string): Promise<void> {
    await this.send({ type: 'unban', identity });
  }

  /** Adds a chat message to the room (everyone gets it as `chat`). */
  async chat(text: string): Promise<void> {
    await this.send({ type: 'chat', text });
  }

  /** p2p calls: relays an offer, answer or candidate to the other side. */
  async p2pSignal(signal: P2pSignal): Promise<void> {
    await this.send({ type: 'p2p-signal', signal });
  }

  /** Ends the room for everyone (the conference's creator; either side in p2p). Resolves once it has ended. */
  async end(): Promise<void> {
    try {
      await this.send({ type: 'end' });
    } catch (error) {
      if (this.why === 'ended') return;
      throw error;
    }
  }

  /**
   * The conference's creator starts or stops recording the room (else `NOT_CREATOR`; `RECORDING_UNAVAILABLE`
   * in p2p rooms or without a packager, `ALREADY_RECORDING` / `NOT_RECORDING`, `RECORDING_STORAGE_FULL`).
   * Everyone hears `recording-started` / `recording-stopped`.
   */
  async record(action: 'start' | 'stop'): Promise<void> {
    await this.send({ type: 'record', action });
  }

  /** Leaves the room (no reconnection follows). Safe to call at any time, also twice. */
  async leave(): Promise<void> {
    if (this.sessionState === 'closed') return;
    const sig = this.signaling;
    this.finish('left');
    if (sig?.isOpen) {
      await sig.request({ type: 'leave' }).catch(() => undefined);
      sig.close(SignalingCloseCode.Left, 'left');
    }
  }

  // ---- connection --------------------------------------------------------------------------------

  private send<M extends ClientSignal>(message: M): Promise<SignalAnswerOf[M['type']]> {
    const sig = this.signaling;
    if (this.sessionState !== 'joined' || !sig) {
      return Promise.reject(
        new SignalingError(
          SdkErrorCode.RoomNotConnected,
          `${message.type}: the session is ${this.sessionState === 'closed' ? 'closed' : 'reconnecting'}`,
        ),
      );
    }
    return sig.request(message);
  }

  /**
   * Opens signaling at the ticket's URL and joins; on success the session is `joined` on that connection
   * with the new snapshot. Pushes (and a close) that arrive before the caller calls the returned
   * `release` are held and replayed then, so nothing is applied to a view it does not belong to and the
   * caller can emit its own event first.
   */
  private async attach(ticket: Ticket): Promise<() => void> {
    const { sig, joined, release } = await joinOverSignaling(
      ticket,
      this.WebSocketCtor,
      { ...this.options, clock: this.clock },
      this.sink,
    );
    if (this.sessionState === 'closed') {
      // Left while this join was under way: closing the connection leaves the room.
      sig.close(SignalingCloseCode.Left, 'left');
      return () => undefined;
    }
    const before = this.view as RoomView | undefined;
    const previousId = this.ownId as string | undefined;
    this.signaling = sig;
    this.sessionState = 'joined';
    this.ownId = joined.participantId;
    this.peers = joined.p2p;
    if (ticket.address) this.currentAddress = ticket.address;
    this.currentCoremx = ticket.coremxId;
    this.currentUrl = ticket.signalingUrl;
    this.replace(before, joined.room, new Set([previousId, this.ownId].filter((id) => id !== undefined)));
    // The snapshot's HLS streams and recording replace what we knew; what changed is told.
    for (const event of this.streams.snapshot(joined)) this.emitEvent(event);
    return release;
  }

  private onPush(push: ServerPush): void {
    if (this.sessionState !== 'joined') return;
    switch (push.type) {
      case 'patch':
        return this.applyPatch(push.patch);
      case 'kicked':
        return this.finish('kicked', push.by);
      case 'room-ended':
        // Closed by the platform, not ended by anyone (seed 002: peers whose room went away join again).
        if (push.reason === 'system') return this.startReconnect('room-closed');
        return this.finish('ended', push.reason);
      case 'publish-request':
      case 'ice':
      case 'stream-ready':
      case 'stream-ended':
      case 'reoffer':
      case 'p2p-signal':
        return this.emitEvent(pushEvent(push, this.view));
      case 'hls-stream':
      case 'hls-ended':
      case 'recording-started':
      case 'recording-stopped':
        for (const event of this.streams.push(push)) this.emitEvent(event);
        return;
    }
  }

  private applyPatch(patch: RoomPatch): void {
    const result = applyRoomPatch(this.view, patch);
    if (result.ok) {
      this.replace(this.view, result.view, new Set([this.ownId]));
      return;
    }
    // A patch this view already includes (a duplicate) changes nothing.
    if (result.code === RoomErrorCode.PATCH_VERSION_MISMATCH && patch.toVersion <= this.view.version) return;
    this.startReconnect('version-gap');
  }

  /** Takes a new view and emits what changed, then `change`. */
  private replace(before: RoomView | undefined, after: RoomView, ignore: ReadonlySet<string>): void {
    this.view = after;
    for (const event of roomChangeEvents(before, after, ignore)) this.emitEvent(event);
  }

  private emitEvent({ event, payload }: RoomEvent): void {
    // The pair was built together (`RoomEvent`); TypeScript cannot correlate a union's two fields.
    (this.emit as (name: keyof RoomSessionEvents, payload: unknown) => void).call(this, event, payload);
  }

  private onClose(info: SignalingClose): void {
    if (this.sessionState !== 'joined') return;
    switch (info.code) {
      case SignalingCloseCode.RoomEnded:
        return this.finish('ended', info.reason || 'room ended');
      case SignalingCloseCode.Kicked:
        return this.finish('kicked', undefined);
      case SignalingCloseCode.Replaced:
        // Joining again would throw the newer session out in turn: two tabs would take turns forever.
        return this.finish('replaced');
      case SignalingCloseCode.Revoked:
        // Joining again would be refused too: the user must sign in again.
        this.emit(
          'error',
          new SdkError(
            SdkErrorCode.CredentialsRevoked,
            `CASH closed the session: its credentials were revoked (${info.reason || 'revoked'}); sign in again`,
          ),
        );
        return this.finish('failed');
      default:
        // Anything else, a 1000 included, was not asked for (`leave` closes the session first): join again.
        this.startReconnect('connection-lost', info.code);
    }
  }

  private startReconnect(reason: ReconnectReason, code?: number): void {
    if (this.sessionState !== 'joined') return;
    const old = this.signaling;
    this.signaling = undefined;
    // Closing a live connection leaves the room there; the next join takes a fresh snapshot.
    if (old?.isOpen) old.close(SignalingCloseCode.Left, 'resync');
    if (!this.policy) {
      this.emit(
        'error',
        new SdkError(SdkErrorCode.ReconnectFailed, `connection lost (${reason}); reconnection is off`),
      );
      this.finish('failed');
      return;
    }
    this.sessionState = 'reconnecting';
    this.emit('reconnecting', { reason, ...(code !== undefined ? { code } : {}) });
    void this.reconnect(this.policy);
  }

  private async reconnect(policy: ReconnectPolicy): Promise<void> {
    const started = this.clock.now();
    const previousCoremxId = this.currentCoremx;
    for (let attempt = 1; this.sessionState === 'reconnecting'; attempt++) {
      try {
        const ticket = await this.client.join(this.currentAddress);
        if (this.sessionState !== 'reconnecting') return;
        const release = await this.attach(ticket);
        // attach() moved the state on (or leave() closed the session meanwhile).
        if ((this.sessionState as RoomSessionState) !== 'joined') return;
        this.emit('reconnected', {
          participantId: this.ownId,
          coremxId: this.currentCoremx,
          previousCoremxId,
          address: this.currentAddress,
          room: this.view,
        });
        release();
        return;
      } catch (error) {
        if (this.sessionState !== 'reconnecting') return;
        const verdict = classifyJoinFailure(error);
        if (verdict === 'ended') return this.finish('ended', 'conference-ended');
        if (verdict === 'kicked') return this.finish('kicked', undefined);
        const pause = reconnectPause(policy, attempt, error);
        if (verdict === 'fatal' || this.clock.now() - started + pause > policy.budgetMs) {
          const failure = new SdkError(
            SdkErrorCode.ReconnectFailed,
            `could not join ${this.currentAddress} again after ${attempt} attempt(s): ${
              error instanceof Error ? error.message : String(error)
            }`,
            { cause: error },
          );
          this.emit('error', failure);
          return this.finish('failed');
        }
        await this.sleep(pause);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { timer: this.clock.setTimeout(wake, ms), wake };
    });
  }

  /** The session is over: stop reconnecting, close the connection, tell why. */
  private finish(reason: RoomCloseReason, detail?: string): void {
    if (this.sessionState === 'closed') return;
    this.sessionState = 'closed';
    this.why = reason;
    if (this.sleeping) {
      this.clock.clearTimeout(this.sleeping.timer);
      this.sleeping.wake();
    }
    const sig = this.signaling;
    if (reason !== 'left' && sig?.isOpen) sig.close(SignalingCloseCode.Left, reason);
    if (reason === 'kicked') this.emit('kicked', { by: detail });
    if (reason === 'ended') this.emit('ended', { reason: detail ?? 'room ended' });
    this.emit('closed', { reason });
  }
}
