import { listenForClientErrors, type KurentoHandle } from './kurento-connection';
import { MediaError, MediaErrorCode, toMediaError } from './media-error.exception';
import { validateRtpOfferOptions, validateRtpWiring, validateSdpOffer } from './media-input.validation';
import type { MediaRefRegistry } from './media-ref.registry';
import type { MediaEndpointRef, MediaPipelineRef, MediaRtpEndpointRef, RtpOfferOptions } from './media.port';

/** What the RtpEndpoint operations use of `KurentoMediaPort` (its registry, connection and calls). */
export interface KurentoRtpContext {
  readonly registry: MediaRefRegistry<KurentoHandle, KurentoHandle>;
  live(operation: string): { client: KurentoHandle; generation: number };
  call<T>(
    operation: string,
    target: KurentoHandle,
    method: string,
    args: unknown[],
    options?: { onLate?: (value: T) => void },
  ): Promise<T>;
  releaseQuietly(object: KurentoHandle): void;
  reportError(error: unknown): void;
}

/**
 * The RtpEndpoint half of `KurentoMediaPort`: Kurento's RtpEndpoint (kms-elements) created in a room's
 * pipeline, negotiated as an SdpEndpoint, fed by a publish endpoint. Same rules as the rest of the port:
 * input checked first, a timeout per call, only MediaErrors, gone refs are MEDIA_OBJECT_GONE.
 */
export class KurentoRtpEndpoints {
  constructor(private readonly port: KurentoRtpContext) {}

  async create(pipeline: MediaPipelineRef): Promise<MediaRtpEndpointRef> {
    const operation = 'createRtpEndpoint';
    const { registry } = this.port;
    const entry = registry.pipeline(pipeline, operation);
    this.port.live(operation);
    const native = await this.port.call<KurentoHandle>(operation, entry.native, 'create', ['RtpEndpoint'], {
      onLate: (late) => this.port.releaseQuietly(late),
    });
    if (!registry.hasPipeline(entry.ref.id) || entry.ref.generation !== registry.generation) {
      this.port.releaseQuietly(native);
      throw new MediaError(MediaErrorCode.ObjectGone, `${operation}: pipeline ${entry.ref.id} is gone`, {
        operation,
      });
    }
    listenForClientErrors(native, (error) => this.port.reportError(toMediaError(error, operation)));
    return registry.addRtpEndpoint(entry, String(native.id), native).ref;
  }

  async processOffer(rtp: MediaRtpEndpointRef, sdpOffer: string): Promise<string> {
    const operation = 'processRtpOffer';
    const entry = this.port.registry.rtpEndpoint(rtp, operation);
    const sdp = validateSdpOffer(sdpOffer, operation);
    return this.sdp(operation, entry.native, 'processOffer', [sdp]);
  }

  async generateOffer(rtp: MediaRtpEndpointRef, options?: RtpOfferOptions): Promise<string> {
    const operation = 'generateRtpOffer';
    const entry = this.port.registry.rtpEndpoint(rtp, operation);
    const { audio, video } = validateRtpOfferOptions(options, operation);
    // Kurento's OfferOptions (KMS 6.15+).
    const offerOptions = { offerToReceiveAudio: audio, offerToReceiveVideo: video };
    return this.sdp(operation, entry.native, 'generateOffer', [offerOptions]);
  }

  async processAnswer(rtp: MediaRtpEndpointRef, sdpAnswer: string): Promise<string> {
    const operation = 'processRtpAnswer';
    const entry = this.port.registry.rtpEndpoint(rtp, operation);
    const sdp = validateSdpOffer(sdpAnswer, operation, 'answer');
    return this.sdp(operation, entry.native, 'processAnswer', [sdp]);
  }

  async connect(source: MediaEndpointRef, rtp: MediaRtpEndpointRef): Promise<void> {
    const operation = 'connectRtp';
    const from = this.port.registry.endpoint(source, operation);
    const to = this.port.registry.rtpEndpoint(rtp, operation);
    validateRtpWiring(from.ref, to.ref, operation);
    this.port.live(operation);
    const args = from.ref.audioOnly ? [to.native, 'AUDIO'] : [to.native];
    await this.port.call(operation, from.native, 'connect', args);
  }

  private async sdp(
    operation: string,
    native: KurentoHandle,
    method: string,
    args: unknown[],
  ): Promise<string> {
    this.port.live(operation);
    const sdp = await this.port.call<unknown>(operation, native, method, args);
    if (typeof sdp !== 'string')
      throw new MediaError(MediaErrorCode.Internal, `${operation}: the server answered no SDP`, {
        operation,
      });
    return sdp;
  }
}
