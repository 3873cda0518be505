import type { EndpointSignals, EngineEndpoint, IceComponentState, MediaKind } from '../engine/media-engine';
import { KurentoError } from '../protocol/kurento-error';
import type { JsonObject } from '../protocol/json-rpc';
import { MEDIA_ELEMENT_EVENTS } from './media-element';
import type { MediaObject, ObjectHost } from './media-object';
import { SdpEndpointObject } from './sdp-endpoint.object';
import { Params } from './operation-params';

const WEBRTC_EVENTS = [
  ...MEDIA_ELEMENT_EVENTS,
  'MediaSessionStarted',
  'MediaSessionTerminated',
  'ConnectionStateChanged',
  'MediaStateChanged',
  'DataChannelClosed',
  'DataChannelOpened',
  'DtlsConnectionStateChange',
  'IceCandidateFound',
  'IceComponentStateChanged',
  'IceGatheringDone',
  'NewCandidatePairSelected',
];

/** Defaults of KMS 7 for the numeric properties (kbps unless named otherwise). */
const NUMERIC_DEFAULTS: Record<string, number> = {
  MaxVideoRecvBandwidth: 0,
  MaxAudioRecvBandwidth: 0,
  MinVideoRecvBandwidth: 0,
  MinVideoSendBandwidth: 100,
  MaxVideoSendBandwidth: 2000,
  Mtu: 1200,
  StunServerPort: 0,
};

const STRING_PROPERTIES = [
  'StunServerAddress',
  'TurnUrl',
  'NetworkInterfaces',
  'ExternalIPv4',
  'ExternalIPv6',
  'ExternalAddress',
];

export interface WebRtcEndpointConfig {
  recvonly: boolean;
  sendonly: boolean;
}

/**
 * Kurento's WebRtcEndpoint over an engine endpoint: SDP negotiation, trickle ICE, and the engine's
 * signals turned into Kurento events (IceCandidateFound … MediaStateChanged) with Kurento's payloads.
 */
export class WebRtcEndpointObject extends SdpEndpointObject {
  readonly type = 'WebRtcEndpoint';
  readonly hierarchy = [
    'kurento.BaseRtpEndpoint',
    'kurento.SdpEndpoint',
    'kurento.SessionEndpoint',
    'kurento.Endpoint',
    'kurento.MediaElement',
    'kurento.MediaObject',
  ];
  readonly eventTypes = new Set(WEBRTC_EVENTS);
  readonly engineElement: EngineEndpoint;
  private iceState: IceComponentState | 'NEW' = 'NEW';
  private readonly strings = new Map<string, string>();
  private iceTcp = true;
  private rembParams: JsonObject | null = null;

  constructor(id: string, host: ObjectHost, pipeline: MediaObject, config: WebRtcEndpointConfig) {
    super(id, host, pipeline);
    const direction = config.recvonly ? 'recvonly' : config.sendonly ? 'sendonly' : 'sendrecv';
    this.engineElement = host.engine.createWebRtcEndpoint({ id, direction, signals: this.signals() });
    for (const [name, value] of Object.entries(NUMERIC_DEFAULTS)) this.defineNumber(name, value);
    for (const name of STRING_PROPERTIES) {
      this.define(`get${name}`, () => this.strings.get(name) ?? '');
      this.define(`set${name}`, (p) => {
        this.strings.set(name, p.string(name.charAt(0).toLowerCase() + name.slice(1)));
        return null;
      });
    }
    this.define('getIceTcp', () => this.iceTcp);
    this.define('setIceTcp', (p) => {
      this.iceTcp = p.boolean('iceTcp');
      return null;
    });
    this.define('getRembParams', () => this.rembParams);
    this.define('setRembParams', (p) => {
      this.rembParams = p.object('rembParams');
      return null;
    });
    this.define('gatherCandidates', async () => {
      await this.engineElement.gatherCandidates();
      return null;
    });
    this.define('addIceCandidate', async (p) => {
      const candidate = new Params(p.object('candidate'));
      await this.engineElement.addIceCandidate({
        candidate: candidate.string('candidate'),
        sdpMid: candidate.has('sdpMid') ? String(candidate.value('sdpMid')) : '0',
        sdpMLineIndex: candidate.has('sdpMLineIndex') ? candidate.number('sdpMLineIndex') : 0,
      });
      return null;
    });
    this.define('requestKeyframe', () => {
      this.engineElement.requestKeyframe();
      return null;
    });
    this.define('getIceConnectionState', () => [] as JsonObject[]);
    this.define('getICECandidatePairs', () => [] as JsonObject[]);
    this.define('getDtlsConnectionState', () => (this.connectionState === 'CONNECTED' ? 'CONNECTED' : 'NEW'));
    this.define('createDataChannel', () => {
      throw KurentoError.of('NOT_IMPLEMENTED', 'Data channels are not supported by kms-lite');
    });
    this.define('closeDataChannel', () => {
      throw KurentoError.of('NOT_IMPLEMENTED', 'Data channels are not supported by kms-lite');
    });
  }

  private signals(): EndpointSignals {
    return {
      iceCandidate: (candidate) =>
        this.raise('IceCandidateFound', {
          candidate: {
            __module__: 'kurento',
            __type__: 'IceCandidate',
            candidate: candidate.candidate,
            sdpMid: candidate.sdpMid,
            sdpMLineIndex: candidate.sdpMLineIndex,
          },
        }),
      iceGatheringDone: () => this.raise('IceGatheringDone'),
      iceComponentState: (state, streamId, componentId) => {
        if (this.iceState === state) return;
        this.iceState = state;
        this.raise('IceComponentStateChanged', { state, streamId, componentId });
      },
      candidatePairSelected: (pair) =>
        this.raise('NewCandidatePairSelected', {
          candidatePair: {
            __module__: 'kurento',
            __type__: 'IceCandidatePair',
            streamID: pair.streamId,
            componentID: pair.componentId,
            localCandidate: pair.localCandidate,
            remoteCandidate: pair.remoteCandidate,
          },
        }),
      connectionState: (state) => this.changeConnectionState(state),
      mediaFlowIn: (kind: MediaKind, flowing: boolean) => this.setFlow('in', kind, flowing),
      mediaFlowOut: (kind: MediaKind, flowing: boolean) => this.setFlow('out', kind, flowing),
      mediaState: (state) => this.changeMediaState(state),
      error: (description, errorCode, type) => this.raise('Error', { description, errorCode, type }),
    };
  }
}
