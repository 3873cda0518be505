import { MediaError, MediaErrorCode } from './media-error.exception';
import type {
  IceCandidateListener,
  MediaEndpointOptions,
  MediaEndpointRef,
  MediaIceCandidate,
  MediaObjectRef,
  MediaPipelineRef,
  MediaRtpEndpointRef,
  Unsubscribe,
} from './media.port';

/** Candidates kept for an endpoint nobody listens to yet (a real endpoint finds a handful). */
const MAX_BUFFERED_CANDIDATES = 256;

/**
 * Fans an endpoint's server candidates out to its listeners. Candidates found before the first
 * listener are kept for it, so a listener added after `gatherCandidates` misses nothing.
 */
export class CandidateFanOut {
  private readonly listeners = new Set<IceCandidateListener>();
  private buffered: MediaIceCandidate[] = [];

  constructor(private readonly reportError: (error: unknown) => void) {}

  emit(candidate: MediaIceCandidate): void {
    if (this.listeners.size === 0) {
      if (this.buffered.length < MAX_BUFFERED_CANDIDATES) this.buffered.push(candidate);
      return;
    }
    for (const listener of [...this.listeners]) this.call(listener, candidate);
  }

  add(listener: IceCandidateListener): Unsubscribe {
    this.listeners.add(listener);
    const pending = this.buffered;
    this.buffered = [];
    for (const candidate of pending) this.call(listener, candidate);
    return () => {
      this.listeners.delete(listener);
    };
  }

  clear(): void {
    this.listeners.clear();
    this.buffered = [];
  }

  private call(listener: IceCandidateListener, candidate: MediaIceCandidate): void {
    try {
      listener(candidate);
    } catch (error) {
      // A listener's bug must not break the client's event loop: report it and go on.
      this.reportError(error);
    }
  }
}

export interface PipelineEntry<N> {
  readonly ref: MediaPipelineRef;
  readonly native: N;
  readonly endpointIds: Set<string>;
}

export interface EndpointEntry<N> {
  readonly ref: MediaEndpointRef;
  readonly native: N;
  readonly candidates: CandidateFanOut;
  /** Set when subscribing to the endpoint's candidates failed on the server. */
  subscriptionError?: MediaError;
}

export interface RtpEndpointEntry<N> {
  readonly ref: MediaRtpEndpointRef;
  readonly native: N;
}

function gone(operation: string, what: string): MediaError {
  return new MediaError(
    MediaErrorCode.ObjectGone,
    `${operation}: ${what} is gone (released, or from before a reconnection)`,
    { operation },
  );
}

function invalid(operation: string, message: string): MediaError {
  return new MediaError(MediaErrorCode.InvalidArgument, `${operation}: ${message}`, { operation });
}

function isRef(value: unknown, type: MediaObjectRef['type']): value is MediaObjectRef {
  if (typeof value !== 'object' || value === null) return false;
  const ref = value as Partial<MediaObjectRef>;
  return ref.type === type && typeof ref.id === 'string' && typeof ref.generation === 'number';
}

/**
 * The objects a port holds, by id, with the connection generation they belong to. Shared by the real
 * port and the fake, so both refuse the same refs in the same way.
 */
export class MediaRefRegistry<P, E, R = E> {
  private currentGeneration = 0;
  private readonly pipelines = new Map<string, PipelineEntry<P>>();
  private readonly endpoints = new Map<string, EndpointEntry<E>>();
  private readonly rtpEndpoints = new Map<string, RtpEndpointEntry<R>>();

  constructor(private readonly reportError: (error: unknown) => void = () => undefined) {}

  get generation(): number {
    return this.currentGeneration;
  }

  addPipeline(roomId: string, id: string, native: P): PipelineEntry<P> {
    const ref: MediaPipelineRef = Object.freeze({
      type: 'pipeline',
      id,
      roomId,
      generation: this.currentGeneration,
    });
    const entry = { ref, native, endpointIds: new Set<string>() };
    this.pipelines.set(id, entry);
    return entry;
  }

  addEndpoint(
    pipeline: PipelineEntry<P>,
    id: string,
    native: E,
    options: Required<MediaEndpointOptions>,
  ): EndpointEntry<E> {
    const ref: MediaEndpointRef = Object.freeze({
      type: 'endpoint',
      id,
      pipelineId: pipeline.ref.id,
      roomId: pipeline.ref.roomId,
      kind: options.kind,
      audioOnly: options.audioOnly,
      generation: this.currentGeneration,
    });
    const entry: EndpointEntry<E> = { ref, native, candidates: new CandidateFanOut(this.reportError) };
    this.endpoints.set(id, entry);
    pipeline.endpointIds.add(id);
    return entry;
  }

  addRtpEndpoint(pipeline: PipelineEntry<P>, id: string, native: R): RtpEndpointEntry<R> {
    const ref: MediaRtpEndpointRef = Object.freeze({
      type: 'rtp-endpoint',
      id,
      pipelineId: pipeline.ref.id,
      roomId: pipeline.ref.roomId,
      generation: this.currentGeneration,
    });
    const entry = { ref, native };
    this.rtpEndpoints.set(id, entry);
    pipeline.endpointIds.add(id);
    return entry;
  }

  /** The live RtpEndpoint behind `ref`; a bad ref is MEDIA_INVALID_ARGUMENT, a gone one MEDIA_OBJECT_GONE. */
  rtpEndpoint(ref: unknown, operation: string): RtpEndpointEntry<R> {
    if (!isRef(ref, 'rtp-endpoint')) throw invalid(operation, 'an RtpEndpoint ref is required');
    const entry = this.rtpEndpoints.get(ref.id);
    if (!entry || entry.ref.generation !== ref.generation) throw gone(operation, `RtpEndpoint ${ref.id}`);
    return entry;
  }

  /** Ids of a pipeline's RtpEndpoints. */
  rtpEndpointIdsOf(pipelineId: string): string[] {
    const pipeline = this.pipelines.get(pipelineId);
    return pipeline ? [...pipeline.endpointIds].filter((id) => this.rtpEndpoints.has(id)) : [];
  }

  /** The live pipeline behind `ref`; a bad ref is MEDIA_INVALID_ARGUMENT, a gone one MEDIA_OBJECT_GONE. */
  pipeline(ref: unknown, operation: string): PipelineEntry<P> {
    if (!isRef(ref, 'pipeline')) throw invalid(operation, 'a pipeline ref is required');
    const entry = this.pipelines.get(ref.id);
    if (!entry || entry.ref.generation !== ref.generation) throw gone(operation, `pipeline ${ref.id}`);
    return entry;
  }

  endpoint(ref: unknown, operation: string): EndpointEntry<E> {
    if (!isRef(ref, 'endpoint')) throw invalid(operation, 'an endpoint ref is required');
    const entry = this.endpoints.get(ref.id);
    if (!entry || entry.ref.generation !== ref.generation) throw gone(operation, `endpoint ${ref.id}`);
    return entry;
  }

  /** The live entry behind a ref of either type, or undefined when it is gone. */
  find(
    ref: unknown,
    operation: string,
  ): PipelineEntry<P> | EndpointEntry<E> | RtpEndpointEntry<R> | undefined {
    if (isRef(ref, 'pipeline')) {
      const entry = this.pipelines.get(ref.id);
      return entry && entry.ref.generation === ref.generation ? entry : undefined;
    }
    if (isRef(ref, 'endpoint')) {
      const entry = this.endpoints.get(ref.id);
      return entry && entry.ref.generation === ref.generation ? entry : undefined;
    }
    if (isRef(ref, 'rtp-endpoint')) {
      const entry = this.rtpEndpoints.get(ref.id);
      return entry && entry.ref.generation === ref.generation ? entry : undefined;
    }
    throw invalid(operation, 'a pipeline, endpoint or RtpEndpoint ref is required');
  }

  /** Forgets an object; a pipeline takes its endpoints with it (as the server does). */
  remove(ref: MediaObjectRef): void {
    if (ref.type === 'rtp-endpoint') {
      if (!this.rtpEndpoints.delete(ref.id)) return;
      this.pipelines.get(ref.pipelineId)?.endpointIds.delete(ref.id);
      return;
    }
    if (ref.type === 'endpoint') {
      const entry = this.endpoints.get(ref.id);
      if (!entry) return;
      entry.candidates.clear();
      this.endpoints.delete(ref.id);
      this.pipelines.get(entry.ref.pipelineId)?.endpointIds.delete(ref.id);
      return;
    }
    const pipeline = this.pipelines.get(ref.id);
    if (!pipeline) return;
    for (const endpointId of pipeline.endpointIds) {
      this.endpoints.get(endpointId)?.candidates.clear();
      this.endpoints.delete(endpointId);
      this.rtpEndpoints.delete(endpointId);
    }
    this.pipelines.delete(ref.id);
  }

  hasPipeline(id: string): boolean {
    return this.pipelines.has(id);
  }

  pipelineIds(): string[] {
    return [...this.pipelines.keys()];
  }

  pipelineEntries(): PipelineEntry<P>[] {
    return [...this.pipelines.values()];
  }

  endpointsOf(pipelineId: string): EndpointEntry<E>[] {
    const pipeline = this.pipelines.get(pipelineId);
    if (!pipeline) return [];
    return [...pipeline.endpointIds].flatMap((id) => this.endpoints.get(id) ?? []);
  }

  /** Starts a new generation: every ref held so far becomes gone. Returns the pipelines it held. */
  reset(): PipelineEntry<P>[] {
    const held = [...this.pipelines.values()];
    for (const endpoint of this.endpoints.values()) endpoint.candidates.clear();
    this.pipelines.clear();
    this.endpoints.clear();
    this.rtpEndpoints.clear();
    this.currentGeneration += 1;
    return held;
  }
}
