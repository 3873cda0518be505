import { randomUUID } from 'node:crypto';
import type { Clock } from '@hoot/domain';
import type { MediaEngine } from '../engine/media-engine';
import { eventNotification, type JsonObject, type RpcRequest } from '../protocol/json-rpc';
import { KurentoError } from '../protocol/kurento-error';
import { MediaPipelineObject } from './media-pipeline.object';
import type { LoadReport } from './load-report';
import type { MediaObject, ObjectHost } from './media-object';
import { Params } from './operation-params';
import { PassThroughObject } from './pass-through.object';
import { RtpEndpointObject } from './rtp-endpoint.object';
import { SERVER_MANAGER_ID, ServerManagerObject } from './server-manager.object';
import { WebRtcEndpointObject } from './webrtc-endpoint.object';

export interface Subscription {
  id: string;
  sessionId: string;
  objectId: string;
  type: string;
}

export interface MediaSetOptions {
  clock: Clock;
  engine: MediaEngine;
  load: LoadReport;
  serverVersion: string;
  metadata?: string;
  newUuid?: () => string;
}

/**
 * Every live media object of the server, which sessions use it, and who subscribed to which event.
 * Release is idempotent and cascades from a pipeline to its elements; events go to subscribers only.
 */
export class MediaSet implements ObjectHost {
  readonly clock: Clock;
  readonly engine: MediaEngine;
  readonly load: LoadReport;
  readonly serverVersion: string;
  readonly serverManager: ServerManagerObject;
  private readonly objects = new Map<string, MediaObject>();
  private readonly refs = new Map<string, Set<string>>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly sessions = new Set<string>();
  private readonly uuid: () => string;
  /** Where event notifications go (the RPC server routes them to the session's socket). */
  onEvent: (sessionId: string, notification: RpcRequest) => void = () => undefined;

  constructor(options: MediaSetOptions) {
    this.clock = options.clock;
    this.engine = options.engine;
    this.load = options.load;
    this.serverVersion = options.serverVersion;
    this.uuid = options.newUuid ?? randomUUID;
    this.serverManager = new ServerManagerObject(this);
    this.serverManager.metadata = options.metadata ?? '';
    this.objects.set(SERVER_MANAGER_ID, this.serverManager);
  }

  newUuid(): string {
    return this.uuid();
  }

  find(id: string): MediaObject | undefined {
    return this.objects.get(id);
  }

  get size(): number {
    return this.objects.size - 1;
  }

  pipelineIds(): string[] {
    return [...this.objects.values()].filter((o) => o.type === 'MediaPipeline').map((o) => o.id);
  }

  sessionIds(): string[] {
    return [...this.sessions];
  }

  hasSession(sessionId: string): boolean {
    return this.sessions.has(sessionId);
  }

  registerSession(sessionId: string): void {
    this.sessions.add(sessionId);
  }

  /** The object, now also referenced by `sessionId`; 40101 when there is none. */
  get(sessionId: string, id: string): MediaObject {
    const object = this.objects.get(id);
    if (!object) throw KurentoError.of('MEDIA_OBJECT_NOT_FOUND', `Object '${id}' not found`);
    this.ref(sessionId, id);
    return object;
  }

  private ref(sessionId: string, id: string): void {
    this.registerSession(sessionId);
    const sessions = this.refs.get(id) ?? new Set<string>();
    sessions.add(sessionId);
    this.refs.set(id, sessions);
  }

  create(sessionId: string, type: string, constructorParams: JsonObject): MediaObject {
    const params = new Params(constructorParams);
    let object: MediaObject;
    if (type === 'MediaPipeline') {
      object = new MediaPipelineObject(`${this.newUuid()}_kurento.MediaPipeline`, this);
    } else if (type === 'WebRtcEndpoint' || type === 'PassThrough' || type === 'RtpEndpoint') {
      const pipelineId = params.string('mediaPipeline');
      const pipeline = this.objects.get(pipelineId);
      if (!pipeline || pipeline.type !== 'MediaPipeline') {
        throw KurentoError.of('MEDIA_OBJECT_NOT_FOUND', `Object '${pipelineId}' not found`);
      }
      if (type === 'RtpEndpoint') RtpEndpointObject.checkConstructorParams(params);
      const id = `${pipeline.id}/${this.newUuid()}_kurento.${type}`;
      if (type === 'WebRtcEndpoint') {
        object = new WebRtcEndpointObject(id, this, pipeline, {
          recvonly: params.optionalBoolean('recvonly') ?? false,
          sendonly: params.optionalBoolean('sendonly') ?? false,
        });
      } else if (type === 'RtpEndpoint') {
        object = new RtpEndpointObject(id, this, pipeline);
      } else {
        object = new PassThroughObject(id, this, pipeline);
      }
    } else {
      throw KurentoError.of('MEDIA_OBJECT_TYPE_NOT_FOUND', `Factory '${type}' not found`);
    }
    this.objects.set(object.id, object);
    this.ref(sessionId, object.id);
    this.serverManager.raise('ObjectCreated', { object: object.id });
    return object;
  }

  /** Releases an object and its children. Unknown ids (and the ServerManager) are a no-op, as in KMS. */
  async release(id: string): Promise<void> {
    const object = this.objects.get(id);
    if (!object || object === this.serverManager || object.released) return;
    for (const child of [...object.children]) await this.release(child.id);
    this.objects.delete(id);
    this.refs.delete(id);
    for (const [subId, sub] of this.subscriptions) if (sub.objectId === id) this.subscriptions.delete(subId);
    await object.dispose();
    this.serverManager.raise('ObjectDestroyed', { objectId: id });
  }

  subscribe(sessionId: string, objectId: string, type: string): string {
    const object = this.get(sessionId, objectId);
    if (!object.supportsEvent(type)) {
      throw KurentoError.of(
        'MEDIA_OBJECT_EVENT_NOT_SUPPORTED',
        `Event '${type}' not found on '${object.type}'`,
      );
    }
    const id = this.newUuid();
    this.subscriptions.set(id, { id, sessionId, objectId, type });
    return id;
  }

  /** Never fails: the client unsubscribes after releasing, when the object is already gone. */
  unsubscribe(subscriptionId: string): void {
    this.subscriptions.delete(subscriptionId);
  }

  subscriptionCount(): number {
    return this.subscriptions.size;
  }

  raise(source: MediaObject, type: string, data: JsonObject): void {
    for (const sub of this.subscriptions.values()) {
      if (sub.objectId === source.id && sub.type === type) {
        this.onEvent(sub.sessionId, eventNotification(source.id, type, data));
      }
    }
  }

  /**
   * Forgets a session whose client went away: its subscriptions go, and every pipeline that no live
   * session references any more (itself or any element in it) is released.
   */
  async collectSession(sessionId: string): Promise<void> {
    this.sessions.delete(sessionId);
    for (const [subId, sub] of this.subscriptions)
      if (sub.sessionId === sessionId) this.subscriptions.delete(subId);
    for (const sessions of this.refs.values()) sessions.delete(sessionId);
    for (const pipelineId of this.pipelineIds()) {
      const pipeline = this.objects.get(pipelineId)!;
      const ids = [pipeline.id, ...[...pipeline.children].map((c) => c.id)];
      const used = ids.some((id) => (this.refs.get(id)?.size ?? 0) > 0);
      if (!used) await this.release(pipelineId);
    }
  }

  /** Releases everything (restart, shutdown). */
  async releaseAll(): Promise<void> {
    for (const id of this.pipelineIds()) await this.release(id);
    this.subscriptions.clear();
    this.sessions.clear();
    this.refs.clear();
  }
}
