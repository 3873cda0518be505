import { MediaError, MediaErrorCode } from '../lib/media-error.exception';
import {
  validateEndpointOptions,
  validateIceCandidate,
  validateRoomId,
  validateSdpOffer,
  validateListener,
  validateRtpOfferOptions,
  validateRtpWiring,
  validateWiring,
} from '../lib/media-input.validation';
import { MediaRefRegistry, type EndpointEntry } from '../lib/media-ref.registry';
import type {
  IceCandidateListener,
  MediaEndpointOptions,
  MediaEndpointRef,
  MediaHealth,
  MediaIceCandidate,
  MediaObjectRef,
  MediaPipelineRef,
  MediaPort,
  MediaRtpEndpointRef,
  MediaServerInfo,
  RtpOfferOptions,
  Unsubscribe,
} from '../lib/media.port';

/** Every operation of the port, as the fake records and fails them. */
export type FakeMediaOperation =
  | 'createPipeline'
  | 'createEndpoint'
  | 'processOffer'
  | 'gatherCandidates'
  | 'addIceCandidate'
  | 'connect'
  | 'createRtpEndpoint'
  | 'processRtpOffer'
  | 'generateRtpOffer'
  | 'processRtpAnswer'
  | 'connectRtp'
  | 'release'
  | 'serverInfo'
  | 'renew';

export interface FakeMediaCall {
  operation: FakeMediaOperation;
  /** Ids of the refs involved (pipeline, endpoint, or source and sink). */
  ids: string[];
}

export interface FakeConnection {
  sourceId: string;
  sinkId: string;
  mediaType: 'ALL' | 'AUDIO';
}

/** What an RtpEndpoint negotiated: the remote SDP (offer or answer) and the local one. */
export interface FakeRtpEndpointState {
  remote?: string;
  local?: string;
  /** `generateRtpOffer` was called and its answer is still due. */
  offered: boolean;
}

interface FakeEndpointState {
  offer?: string;
  answer?: string;
  remoteCandidates: MediaIceCandidate[];
}

/**
 * An in-memory MediaPort for unit tests of its users (CASH). It validates input and refs exactly as
 * the real port does (same validators, same registry), keeps what a media server would hold, and
 * lets a test make it fail, go away, give up, or restart as a new server.
 *
 * - `failNext(op, error)` makes the next call of `op` reject with `error`;
 * - `setAvailable(false)` makes calls reject with MEDIA_UNAVAILABLE and health go down;
 * - `giveUp()` acts like kurento-client giving up: health asks for a renewal;
 * - `restart()` acts like a KMS restart: new server identity, every server object gone (calls on old
 *   refs reject with MEDIA_OBJECT_GONE), health reports the lost session and pipelines until `renew()`.
 */
export class FakeMediaPort implements MediaPort {
  readonly calls: FakeMediaCall[] = [];
  /** What `serverInfo()` reports besides identity and pipelines. */
  load = { usedCpuPercent: 5, usedMemoryKiB: 100_000, cpuCount: 2 };
  version = 'fake-7.2.0';
  private readonly registry = new MediaRefRegistry<null, FakeEndpointState, FakeRtpEndpointState>();
  /** Ids the "server" holds; a restart empties it. */
  private readonly serverObjects = new Set<string>();
  private readonly links: FakeConnection[] = [];
  private readonly failures = new Map<FakeMediaOperation, MediaError[]>();
  private instance = 1;
  private nextId = 1;
  private available = true;
  private gaveUp = false;
  private sessionLost = false;
  private closed = false;

  get serverId(): string {
    return `fake-kms-${this.instance}`;
  }

  get generation(): number {
    return this.registry.generation;
  }

  // ---- test controls ----

  failNext(operation: FakeMediaOperation, error: MediaError): void {
    const queue = this.failures.get(operation) ?? [];
    queue.push(error);
    this.failures.set(operation, queue);
  }

  setAvailable(available: boolean): void {
    this.available = available;
  }

  giveUp(): void {
    this.gaveUp = true;
  }

  restart(): void {
    this.instance += 1;
    this.serverObjects.clear();
    this.links.length = 0;
    this.sessionLost = true;
  }

  /** Raises a server candidate on an endpoint, as KMS does after `gatherCandidates`. */
  emitIceCandidate(endpoint: MediaEndpointRef, candidate: MediaIceCandidate): void {
    this.registry.endpoint(endpoint, 'emitIceCandidate').candidates.emit(candidate);
  }

  /** Live pipelines with their endpoints (what CASH holds and the server still has). */
  pipelines(): { ref: MediaPipelineRef; endpoints: MediaEndpointRef[] }[] {
    return this.registry
      .pipelineEntries()
      .filter((pipeline) => this.serverObjects.has(pipeline.ref.id))
      .map((pipeline) => ({
        ref: pipeline.ref,
        endpoints: this.registry
          .endpointsOf(pipeline.ref.id)
          .filter((endpoint) => this.serverObjects.has(endpoint.ref.id))
          .map((endpoint) => endpoint.ref),
      }));
  }

  connections(): FakeConnection[] {
    return [...this.links];
  }

  /** What an RtpEndpoint negotiated. */
  rtpEndpointState(rtp: MediaRtpEndpointRef): Readonly<FakeRtpEndpointState> {
    return this.registry.rtpEndpoint(rtp, 'rtpEndpointState').native;
  }

  /** The offer and answer an endpoint negotiated, and the participant's candidates it received. */
  endpointState(endpoint: MediaEndpointRef): Readonly<FakeEndpointState> {
    return this.registry.endpoint(endpoint, 'endpointState').native;
  }

  // ---- MediaPort ----

  async createPipeline(roomId: string): Promise<MediaPipelineRef> {
    const operation = 'createPipeline';
    validateRoomId(roomId, operation);
    this.begin(operation, []);
    const id = `${this.uuid()}_kurento.MediaPipeline`;
    this.serverObjects.add(id);
    return this.registry.addPipeline(roomId, id, null).ref;
  }

  async createEndpoint(pipeline: MediaPipelineRef, options: MediaEndpointOptions): Promise<MediaEndpointRef> {
    const operation = 'createEndpoint';
    const valid = validateEndpointOptions(options, operation);
    const entry = this.registry.pipeline(pipeline, operation);
    this.begin(operation, [entry.ref.id]);
    this.onServer(entry.ref.id, operation);
    const id = `${entry.ref.id}/${this.uuid()}_kurento.WebRtcEndpoint`;
    this.serverObjects.add(id);
    return this.registry.addEndpoint(entry, id, { remoteCandidates: [] }, valid).ref;
  }

  async processOffer(endpoint: MediaEndpointRef, sdpOffer: string): Promise<string> {
    const operation = 'processOffer';
    const entry = this.registry.endpoint(endpoint, operation);
    const sdp = validateSdpOffer(sdpOffer, operation);
    this.begin(operation, [entry.ref.id]);
    this.onServer(entry.ref.id, operation);
    if (entry.native.answer !== undefined)
      throw new MediaError(MediaErrorCode.SdpRejected, `${operation}: already negotiated`, {
        operation,
        kurentoCode: 40208,
      });
    entry.native.offer = sdp;
    entry.native.answer = fakeAnswer(sdp, entry.ref.kind);
    return entry.native.answer;
  }

  async gatherCandidates(endpoint: MediaEndpointRef): Promise<void> {
    const operation = 'gatherCandidates';
    const entry = this.registry.endpoint(endpoint, operation);
    this.begin(operation, [entry.ref.id]);
    this.onServer(entry.ref.id, operation);
    if (entry.native.offer === undefined)
      throw new MediaError(MediaErrorCode.ServerError, `${operation}: no SDP negotiated yet`, {
        operation,
        kurentoCode: 40400,
      });
    mediaSections(entry.native.offer).forEach((section, index) =>
      entry.candidates.emit({
        candidate: `candidate:1 1 udp 2130706431 127.0.0.1 ${40000 + index} typ host`,
        sdpMid: section.mid ?? String(index),
        sdpMLineIndex: index,
      }),
    );
  }

  async addIceCandidate(endpoint: MediaEndpointRef, candidate: MediaIceCandidate): Promise<void> {
    const operation = 'addIceCandidate';
    const entry = this.registry.endpoint(endpoint, operation);
    const valid = validateIceCandidate(candidate, operation);
    if (valid.candidate === '') return;
    this.begin(operation, [entry.ref.id]);
    this.onServer(entry.ref.id, operation);
    entry.native.remoteCandidates.push(valid);
  }

  onIceCandidate(endpoint: MediaEndpointRef, listener: IceCandidateListener): Unsubscribe {
    const operation = 'onIceCandidate';
    const entry: EndpointEntry<FakeEndpointState> = this.registry.endpoint(endpoint, operation);
    return entry.candidates.add(validateListener(listener, operation));
  }

  async connect(source: MediaEndpointRef, sink: MediaEndpointRef): Promise<void> {
    const operation = 'connect';
    const from = this.registry.endpoint(source, operation);
    const to = this.registry.endpoint(sink, operation);
    validateWiring(from.ref, to.ref, operation);
    this.begin(operation, [from.ref.id, to.ref.id]);
    this.onServer(from.ref.id, operation);
    this.onServer(to.ref.id, operation);
    const mediaType = from.ref.audioOnly || to.ref.audioOnly ? 'AUDIO' : 'ALL';
    // A sink has one source: a new source replaces the old one, as in Kurento.
    const existing = this.links.findIndex((link) => link.sinkId === to.ref.id);
    if (existing >= 0) this.links.splice(existing, 1);
    this.links.push({ sourceId: from.ref.id, sinkId: to.ref.id, mediaType });
  }

  async createRtpEndpoint(pipeline: MediaPipelineRef): Promise<MediaRtpEndpointRef> {
    const operation = 'createRtpEndpoint';
    const entry = this.registry.pipeline(pipeline, operation);
    this.begin(operation, [entry.ref.id]);
    this.onServer(entry.ref.id, operation);
    const id = `${entry.ref.id}/${this.uuid()}_kurento.RtpEndpoint`;
    this.serverObjects.add(id);
    const state: FakeRtpEndpointState = { offered: false };
    return this.registry.addRtpEndpoint(entry, id, state).ref;
  }

  async processRtpOffer(rtp: MediaRtpEndpointRef, sdpOffer: string): Promise<string> {
    const operation = 'processRtpOffer';
    const state = this.rtpState(rtp, operation);
    const sdp = validateSdpOffer(sdpOffer, operation);
    this.begin(operation, [rtp.id]);
    this.onServer(rtp.id, operation);
    if (state.local !== undefined) throw alreadyNegotiated(operation);
    state.remote = sdp;
    state.local = fakeRtpSdp(
      mediaSections(sdp).map((s) => [s.media, s.proto, s.format, answerDirection(s.direction)]),
    );
    return state.local;
  }

  async generateRtpOffer(rtp: MediaRtpEndpointRef, options?: RtpOfferOptions): Promise<string> {
    const operation = 'generateRtpOffer';
    const state = this.rtpState(rtp, operation);
    const { audio, video } = validateRtpOfferOptions(options, operation);
    this.begin(operation, [rtp.id]);
    this.onServer(rtp.id, operation);
    if (state.local !== undefined) throw alreadyNegotiated(operation);
    const sections: [string, string, string, string][] = [];
    if (audio) sections.push(['audio', 'RTP/AVPF', '96', 'sendrecv']);
    if (video) sections.push(['video', 'RTP/AVPF', '96 97', 'sendrecv']);
    state.offered = true;
    state.local = fakeRtpSdp(sections);
    return state.local;
  }

  async processRtpAnswer(rtp: MediaRtpEndpointRef, sdpAnswer: string): Promise<string> {
    const operation = 'processRtpAnswer';
    const state = this.rtpState(rtp, operation);
    const sdp = validateSdpOffer(sdpAnswer, operation, 'answer');
    this.begin(operation, [rtp.id]);
    this.onServer(rtp.id, operation);
    if (!state.offered)
      throw new MediaError(MediaErrorCode.SdpRejected, `${operation}: no offer generated`, {
        operation,
        kurentoCode: 40209,
      });
    state.offered = false;
    state.remote = sdp;
    return state.local!;
  }

  async connectRtp(source: MediaEndpointRef, rtp: MediaRtpEndpointRef): Promise<void> {
    const operation = 'connectRtp';
    const from = this.registry.endpoint(source, operation);
    const to = this.registry.rtpEndpoint(rtp, operation);
    validateRtpWiring(from.ref, to.ref, operation);
    this.begin(operation, [from.ref.id, to.ref.id]);
    this.onServer(from.ref.id, operation);
    this.onServer(to.ref.id, operation);
    const existing = this.links.findIndex((link) => link.sinkId === to.ref.id);
    if (existing >= 0) this.links.splice(existing, 1);
    this.links.push({
      sourceId: from.ref.id,
      sinkId: to.ref.id,
      mediaType: from.ref.audioOnly ? 'AUDIO' : 'ALL',
    });
  }

  async release(object: MediaObjectRef): Promise<void> {
    const operation = 'release';
    const entry = this.registry.find(object, operation);
    if (!entry) return;
    this.begin(operation, [entry.ref.id]);
    const ids =
      entry.ref.type === 'pipeline'
        ? [
            entry.ref.id,
            ...this.registry.endpointsOf(entry.ref.id).map((e) => e.ref.id),
            ...this.registry.rtpEndpointIdsOf(entry.ref.id),
          ]
        : [entry.ref.id];
    for (const id of ids) this.serverObjects.delete(id);
    for (let i = this.links.length - 1; i >= 0; i -= 1) {
      if (ids.includes(this.links[i].sourceId) || ids.includes(this.links[i].sinkId)) this.links.splice(i, 1);
    }
    this.registry.remove(entry.ref);
  }

  async serverInfo(): Promise<MediaServerInfo> {
    this.begin('serverInfo', []);
    return {
      serverId: this.serverId,
      version: this.version,
      ...this.load,
      pipelines: [...this.serverObjects].filter((id) => id.endsWith('_kurento.MediaPipeline')).length,
    };
  }

  async health(): Promise<MediaHealth> {
    if (this.closed || !this.available || this.gaveUp)
      return {
        status: 'down',
        error: new MediaError(MediaErrorCode.Unavailable, 'health: the fake media server is unavailable', {
          operation: 'health',
        }),
        renewRequired: !this.closed && this.gaveUp,
      };
    return {
      status: 'up',
      serverId: this.serverId,
      latencyMs: 1,
      sessionLost: this.sessionLost,
      lostPipelineIds: this.registry.pipelineIds().filter((id) => !this.serverObjects.has(id)),
    };
  }

  async renew(): Promise<void> {
    this.begin('renew', []);
    this.registry.reset();
    this.gaveUp = false;
    this.sessionLost = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.registry.reset();
  }

  private begin(operation: FakeMediaOperation, ids: string[]): void {
    this.calls.push({ operation, ids });
    if (this.closed) throw unavailable(operation, 'the port is closed');
    if (!this.available || (this.gaveUp && operation !== 'renew'))
      throw unavailable(operation, 'the fake media server is unavailable');
    const injected = this.failures.get(operation)?.shift();
    if (injected) throw injected;
  }

  /** An object the port still holds but the (restarted) server does not: Kurento's 40101. */
  private onServer(id: string, operation: string): void {
    if (!this.serverObjects.has(id))
      throw new MediaError(MediaErrorCode.ObjectGone, `${operation}: object ${id} not found`, {
        operation,
        kurentoCode: 40101,
      });
  }

  private rtpState(rtp: MediaRtpEndpointRef, operation: string): FakeRtpEndpointState {
    return this.registry.rtpEndpoint(rtp, operation).native;
  }

  private uuid(): string {
    const n = (this.nextId++).toString(16).padStart(12, '0');
    return `00000000-0000-4000-8000-${n}`;
  }
}

function alreadyNegotiated(operation: string): MediaError {
  return new MediaError(MediaErrorCode.SdpRejected, `${operation}: already negotiated`, {
    operation,
    kurentoCode: 40208,
  });
}

function unavailable(operation: string, reason: string): MediaError {
  return new MediaError(MediaErrorCode.Unavailable, `${operation}: ${reason}`, { operation });
}

interface MediaSection {
  media: string;
  proto: string;
  format: string;
  mid?: string;
  direction?: string;
}

function mediaSections(sdp: string): MediaSection[] {
  const sections: MediaSection[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const m = /^m=(\S+) \d+ (\S+) (\S+)/.exec(line);
    if (m) {
      sections.push({ media: m[1], proto: m[2], format: m[3] });
      continue;
    }
    const current = sections[sections.length - 1];
    if (!current) continue;
    const mid = /^a=mid:(\S+)/.exec(line);
    if (mid) current.mid = mid[1];
    const direction = /^a=(sendrecv|sendonly|recvonly|inactive)$/.exec(line);
    if (direction) current.direction = direction[1];
  }
  return sections;
}

const ANSWER_DIRECTION: Record<string, string> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

/** A small valid answer: one section per offered one, first format kept, direction mirrored. */
function fakeAnswer(offer: string, kind: MediaEndpointRef['kind']): string {
  const lines = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=fake-kms', 't=0 0'];
  mediaSections(offer).forEach((section, index) => {
    let direction = ANSWER_DIRECTION[section.direction ?? 'sendrecv'];
    if (kind === 'publish' && direction === 'sendrecv') direction = 'recvonly';
    if (kind === 'subscribe' && direction === 'sendrecv') direction = 'sendonly';
    lines.push(
      `m=${section.media} 9 ${section.proto} ${section.format}`,
      'c=IN IP4 0.0.0.0',
      `a=mid:${section.mid ?? String(index)}`,
      `a=${direction}`,
    );
  });
  return `${lines.join('\r\n')}\r\n`;
}

function answerDirection(offered: string | undefined): string {
  return ANSWER_DIRECTION[offered ?? 'sendrecv'];
}

/** A small plain-RTP SDP (an RtpEndpoint's): one section per [media, proto, formats, direction], fake ports. */
function fakeRtpSdp(sections: [string, string, string, string][]): string {
  const lines = ['v=0', 'o=- 2 2 IN IP4 127.0.0.1', 's=fake-kms', 'c=IN IP4 127.0.0.1', 't=0 0'];
  sections.forEach(([media, proto, formats, direction], index) => {
    lines.push(`m=${media} ${45000 + 2 * index} ${proto} ${formats}`, `a=${direction}`);
  });
  return `${lines.join('\r\n')}\r\n`;
}
