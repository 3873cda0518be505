import type { EngineElement, MediaKind } from '../engine/media-engine';
import { KurentoError } from '../protocol/kurento-error';
import type { JsonObject, JsonValue } from '../protocol/json-rpc';
import { MediaObject, type ObjectHost } from './media-object';
import type { Params } from './operation-params';

export type KurentoMediaType = 'AUDIO' | 'VIDEO' | 'DATA';
const MEDIA_TYPES: readonly KurentoMediaType[] = ['AUDIO', 'VIDEO', 'DATA'];

export const MEDIA_ELEMENT_EVENTS = [
  'Error',
  'ElementConnected',
  'ElementDisconnected',
  'MediaFlowInStateChanged',
  'MediaFlowOutStateChanged',
  'MediaTranscodingStateChanged',
] as const;

interface Connection {
  source: MediaElement;
  sink: MediaElement;
  mediaType: KurentoMediaType;
}

export function kindOf(type: KurentoMediaType): MediaKind | undefined {
  if (type === 'AUDIO') return 'audio';
  if (type === 'VIDEO') return 'video';
  return undefined;
}

export function mediaTypeOf(kind: MediaKind): KurentoMediaType {
  return kind === 'audio' ? 'AUDIO' : 'VIDEO';
}

function parseMediaType(params: Params, name = 'mediaType'): KurentoMediaType | undefined {
  if (!params.has(name)) return undefined;
  const value = params.string(name);
  if (!(MEDIA_TYPES as readonly string[]).includes(value)) {
    throw KurentoError.of('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `Invalid media type '${value}'`);
  }
  return value as KurentoMediaType;
}

/**
 * A media element: connections to sinks per media type (one source per sink and type, as in Kurento),
 * mirrored into the engine's forwarding graph, plus the flow states its engine reports.
 */
export abstract class MediaElement extends MediaObject {
  abstract readonly engineElement: EngineElement;
  private readonly sinkConnections: Connection[] = [];
  private readonly sourceConnections: Connection[] = [];
  protected readonly flowingIn = new Map<KurentoMediaType, boolean>();
  protected readonly flowingOut = new Map<KurentoMediaType, boolean>();
  private readonly numbers = new Map<string, number>([
    ['EncoderBitrate', 0],
    ['MinEncoderBitrate', 0],
    ['MaxEncoderBitrate', 0],
  ]);

  constructor(id: string, host: ObjectHost, parent: MediaObject) {
    super(id, host, parent);
    this.define('connect', (p) => this.connect(p));
    this.define('disconnect', (p) => this.disconnect(p));
    this.define('getSinkConnections', (p) =>
      this.describeConnections(this.sinkConnections, parseMediaType(p)),
    );
    this.define('getSourceConnections', (p) =>
      this.describeConnections(this.sourceConnections, parseMediaType(p)),
    );
    this.define('isMediaFlowingIn', (p) => this.flowingIn.get(parseMediaType(p) ?? 'VIDEO') ?? false);
    this.define('isMediaFlowingOut', (p) => this.flowingOut.get(parseMediaType(p) ?? 'VIDEO') ?? false);
    this.define('isMediaTranscoding', () => false);
    this.define('getStats', (p) => this.stats(parseMediaType(p)));
    this.define('setAudioFormat', () => null);
    this.define('setVideoFormat', () => null);
    this.define('getGstreamerDot', () => `digraph "${id}" {}`);
    this.define('dumpGstreamerDot', () => `digraph "${id}" {}`);
    for (const name of this.numbers.keys()) this.defineNumber(name);
  }

  /** A `get<Name>` / `set<Name>` pair over a stored number (bandwidths, bitrates, MTU …). */
  protected defineNumber(name: string, initial?: number): void {
    if (initial !== undefined) this.numbers.set(name, initial);
    this.define(`get${name}`, () => this.numbers.get(name) ?? 0);
    this.define(`set${name}`, (p) => {
      const key = name.charAt(0).toLowerCase() + name.slice(1);
      this.numbers.set(name, p.number(key));
      return null;
    });
  }

  /**
   * Kurento's `getStats`: an `RTCInboundRTPStreamStats` per stream received from the peer and an
   * `RTCOutboundRTPStreamStats` per stream sent to it (packets and bytes counted by the engine; what
   * kms-lite does not measure is 0), keyed by stats id, optionally for one media type.
   */
  private stats(type: KurentoMediaType | undefined): JsonObject {
    const now = Date.now();
    const result: JsonObject = {};
    for (const c of this.engineElement.rtpStats()) {
      if (type && mediaTypeOf(c.kind) !== type) continue;
      const inbound = c.direction === 'in';
      const id = `${this.id}_${inbound ? 'inbound' : 'outbound'}_${c.kind}_${c.ssrc}`;
      result[id] = {
        __module__: 'kurento',
        __type__: inbound ? 'RTCInboundRTPStreamStats' : 'RTCOutboundRTPStreamStats',
        id,
        type: inbound ? 'inboundrtp' : 'outboundrtp',
        timestamp: Math.floor(now / 1000),
        timestampMillis: now,
        ssrc: String(c.ssrc),
        mediaType: mediaTypeOf(c.kind),
        isRemote: false,
        associateStatsId: '',
        mediaTrackId: '',
        transportId: '',
        codecId: '',
        firCount: 0,
        pliCount: 0,
        nackCount: 0,
        sliCount: 0,
        remb: 0,
        packetsLost: 0,
        fractionLost: 0,
        ...(inbound
          ? { packetsReceived: c.packets, bytesReceived: c.bytes, jitter: 0 }
          : { packetsSent: c.packets, bytesSent: c.bytes, targetBitrate: 0, roundTripTime: 0 }),
      };
    }
    return result;
  }

  private describeConnections(list: Connection[], type: KurentoMediaType | undefined): JsonValue {
    return list
      .filter((c) => !type || c.mediaType === type)
      .map((c) => ({
        __module__: 'kurento',
        __type__: 'ElementConnectionData',
        source: c.source.id,
        sink: c.sink.id,
        type: c.mediaType,
        sourceDescription: 'default',
        sinkDescription: 'default',
      }));
  }

  private resolveSink(params: Params): MediaElement {
    const sinkId = params.string('sink');
    const sink = this.host.find(sinkId);
    if (!sink) throw KurentoError.of('MEDIA_OBJECT_NOT_FOUND', `Object '${sinkId}' not found`);
    if (!(sink instanceof MediaElement)) {
      throw KurentoError.of('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `Object '${sinkId}' is not a MediaElement`);
    }
    if (sink.pipelineId() !== this.pipelineId()) {
      throw KurentoError.of('CONNECT_ERROR', 'Elements must belong to the same pipeline to be connected');
    }
    return sink;
  }

  private connect(params: Params): null {
    const sink = this.resolveSink(params);
    const types = parseMediaType(params);
    for (const mediaType of types ? [types] : MEDIA_TYPES) {
      if (this.sinkConnections.some((c) => c.sink === sink && c.mediaType === mediaType)) continue;
      // A sink has one source per media type: connecting another replaces it.
      const previous = sink.sourceConnections.find((c) => c.mediaType === mediaType);
      if (previous) previous.source.removeConnection(previous);
      const connection = { source: this, sink, mediaType };
      this.sinkConnections.push(connection);
      sink.sourceConnections.push(connection);
      const kind = kindOf(mediaType);
      if (kind) this.engineElement.linkTo(sink.engineElement, [kind]);
      this.raise('ElementConnected', {
        sink: sink.id,
        mediaType,
        sourceMediaDescription: '',
        sinkMediaDescription: '',
      });
    }
    return null;
  }

  private disconnect(params: Params): null {
    const sink = this.resolveSink(params);
    const type = parseMediaType(params);
    for (const connection of this.sinkConnections.filter(
      (c) => c.sink === sink && (!type || c.mediaType === type),
    )) {
      this.removeConnection(connection);
    }
    return null;
  }

  private removeConnection(connection: Connection): void {
    const { sink, mediaType } = connection;
    this.sinkConnections.splice(this.sinkConnections.indexOf(connection), 1);
    const index = sink.sourceConnections.indexOf(connection);
    if (index >= 0) sink.sourceConnections.splice(index, 1);
    const kind = kindOf(mediaType);
    if (kind) this.engineElement.unlinkFrom(sink.engineElement, [kind]);
    this.raise('ElementDisconnected', {
      sink: sink.id,
      mediaType,
      sourceMediaDescription: '',
      sinkMediaDescription: '',
    });
  }

  /** Records a flow change and raises MediaFlowIn/OutStateChanged when it is one. */
  protected setFlow(direction: 'in' | 'out', kind: MediaKind, flowing: boolean): void {
    const map = direction === 'in' ? this.flowingIn : this.flowingOut;
    const mediaType = mediaTypeOf(kind);
    if ((map.get(mediaType) ?? false) === flowing) return;
    map.set(mediaType, flowing);
    const fields: JsonObject = { state: flowing ? 'FLOWING' : 'NOT_FLOWING', padName: 'default', mediaType };
    this.raise(direction === 'in' ? 'MediaFlowInStateChanged' : 'MediaFlowOutStateChanged', fields);
  }

  override async dispose(): Promise<void> {
    for (const connection of [...this.sinkConnections]) this.removeConnection(connection);
    for (const connection of [...this.sourceConnections]) connection.source.removeConnection(connection);
    await this.engineElement.close();
    await super.dispose();
  }
}
