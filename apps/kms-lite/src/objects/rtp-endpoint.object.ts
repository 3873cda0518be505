import type { EngineSdpEndpoint, MediaKind } from '../engine/media-engine';
import { KurentoError } from '../protocol/kurento-error';
import { MEDIA_ELEMENT_EVENTS } from './media-element';
import type { MediaObject, ObjectHost } from './media-object';
import type { Params } from './operation-params';
import { SdpEndpointObject } from './sdp-endpoint.object';

const RTP_EVENTS = [
  ...MEDIA_ELEMENT_EVENTS,
  'MediaSessionStarted',
  'MediaSessionTerminated',
  'ConnectionStateChanged',
  'MediaStateChanged',
  'OnKeySoftLimit',
];

/** Defaults of KMS 7's BaseRtpEndpoint numeric properties (kbps unless named otherwise). */
const NUMERIC_DEFAULTS: Record<string, number> = {
  MinVideoRecvBandwidth: 0,
  MinVideoSendBandwidth: 100,
  MaxVideoSendBandwidth: 2000,
  Mtu: 1200,
};

/**
 * Kurento's RtpEndpoint: an SdpEndpoint on plain RTP/AVP(F) over UDP (no ICE, no DTLS). Created in a
 * pipeline, negotiated with `processOffer` (the peer's offer says where it wants RTP) or
 * `generateOffer` + `processAnswer`; media connected to it leaves to the address and ports of the remote
 * SDP. SRTP (`crypto`) and IPv6 are refused with NOT_IMPLEMENTED rather than silently ignored.
 */
export class RtpEndpointObject extends SdpEndpointObject {
  readonly type = 'RtpEndpoint';
  readonly hierarchy = [
    'kurento.BaseRtpEndpoint',
    'kurento.SdpEndpoint',
    'kurento.SessionEndpoint',
    'kurento.Endpoint',
    'kurento.MediaElement',
    'kurento.MediaObject',
  ];
  readonly eventTypes = new Set(RTP_EVENTS);
  readonly engineElement: EngineSdpEndpoint;

  /** Refuses what kms-lite does not do, before anything is created. */
  static checkConstructorParams(params: Params): void {
    if (params.has('crypto'))
      throw KurentoError.of('NOT_IMPLEMENTED', 'SRTP (crypto) is not supported by kms-lite');
    if (params.optionalBoolean('useIpv6'))
      throw KurentoError.of('NOT_IMPLEMENTED', 'IPv6 is not supported by kms-lite');
  }

  constructor(id: string, host: ObjectHost, pipeline: MediaObject) {
    super(id, host, pipeline);
    this.engineElement = host.engine.createRtpEndpoint({
      id,
      signals: {
        mediaFlowIn: (kind: MediaKind, flowing: boolean) => this.setFlow('in', kind, flowing),
        mediaFlowOut: (kind: MediaKind, flowing: boolean) => this.setFlow('out', kind, flowing),
        connectionState: (state) => this.changeConnectionState(state),
        mediaState: (state) => this.changeMediaState(state),
      },
    });
    for (const [name, value] of Object.entries(NUMERIC_DEFAULTS)) this.defineNumber(name, value);
  }
}
