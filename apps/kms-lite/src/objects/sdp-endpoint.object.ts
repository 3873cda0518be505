import type { EngineSdpEndpoint } from '../engine/media-engine';
import { KurentoError } from '../protocol/kurento-error';
import { MediaElement } from './media-element';
import type { MediaObject, ObjectHost } from './media-object';
import { Params } from './operation-params';

/**
 * Kurento's SdpEndpoint/BaseRtpEndpoint part that WebRtcEndpoint and RtpEndpoint share: SDP offer/answer
 * (`processOffer`, `generateOffer`, `processAnswer`, the session descriptors) and the connection and
 * media states with their `ConnectionStateChanged` / `MediaStateChanged` events.
 */
export abstract class SdpEndpointObject extends MediaElement {
  abstract override readonly engineElement: EngineSdpEndpoint;
  private localSdp?: string;
  private remoteSdp?: string;
  protected connectionState: 'CONNECTED' | 'DISCONNECTED' = 'DISCONNECTED';
  protected mediaState: 'CONNECTED' | 'DISCONNECTED' = 'DISCONNECTED';

  constructor(id: string, host: ObjectHost, parent: MediaObject) {
    super(id, host, parent);
    this.define('processOffer', async (p) => {
      const offer = p.string('offer');
      const answer = await this.engineElement.processOffer(offer);
      this.remoteSdp = offer;
      this.localSdp = answer;
      return answer;
    });
    this.define('generateOffer', async (p) => {
      const options = p.has('options') ? new Params(p.object('options')) : undefined;
      const audio = options?.optionalBoolean('offerToReceiveAudio') ?? true;
      const video = options?.optionalBoolean('offerToReceiveVideo') ?? true;
      const offer = await this.engineElement.generateOffer({ audio, video });
      this.localSdp = offer;
      return offer;
    });
    this.define('processAnswer', async (p) => {
      const answer = p.string('answer');
      const local = await this.engineElement.processAnswer(answer);
      this.remoteSdp = answer;
      this.localSdp = local;
      return local;
    });
    this.define('getLocalSessionDescriptor', () => {
      if (!this.localSdp)
        throw KurentoError.of('SDP_END_POINT_NO_LOCAL_SDP_ERROR', 'Local SDP not generated');
      return this.localSdp;
    });
    this.define('getRemoteSessionDescriptor', () => {
      if (!this.remoteSdp) throw KurentoError.of('SDP_END_POINT_NO_REMOTE_SDP_ERROR', 'Remote SDP not set');
      return this.remoteSdp;
    });
    this.define('getConnectionState', () => this.connectionState);
    this.define('getMediaState', () => this.mediaState);
  }

  protected changeConnectionState(state: 'CONNECTED' | 'DISCONNECTED'): void {
    if (this.connectionState === state) return;
    const oldState = this.connectionState;
    this.connectionState = state;
    this.raise('ConnectionStateChanged', { oldState, newState: state });
  }

  protected changeMediaState(state: 'CONNECTED' | 'DISCONNECTED'): void {
    if (this.mediaState === state) return;
    const oldState = this.mediaState;
    this.mediaState = state;
    this.raise('MediaStateChanged', { oldState, newState: state });
  }
}
