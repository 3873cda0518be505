import type { Clock } from '@hoot/domain';
import type { MediaEngine } from '../engine/media-engine';
import { KurentoError } from '../protocol/kurento-error';
import type { JsonObject, JsonValue } from '../protocol/json-rpc';
import type { LoadReport } from './load-report';
import { Params } from './operation-params';

/**
 * What media objects need from the registry that owns them (`MediaSet` is the one): a port declared beside
 * the objects so that they never import their owner.
 */
export interface ObjectHost {
  readonly clock: Clock;
  readonly engine: MediaEngine;
  readonly load: LoadReport;
  newUuid(): string;
  find(id: string): MediaObject | undefined;
  /** Raises a Kurento event from `source` to every subscriber of its type. */
  raise(source: MediaObject, type: string, fields: JsonObject): void;
  pipelineIds(): string[];
  sessionIds(): string[];
  serverVersion: string;
}

export type Operation = (params: Params) => JsonValue | Promise<JsonValue>;

const tagJson = (key: string, value: string): JsonObject => ({
  __module__: 'kurento',
  __type__: 'Tag',
  key,
  value,
});

/**
 * A Kurento media object: identity, parent/children, name and tags, events, and a table of invoke
 * operations. Subclasses add operations with `define` and their event types with `eventTypes`.
 */
export abstract class MediaObject {
  abstract readonly type: string;
  /** Kurento's class hierarchy, nearest ancestor first (what `describe` returns). */
  abstract readonly hierarchy: readonly string[];
  abstract readonly eventTypes: ReadonlySet<string>;

  readonly children = new Set<MediaObject>();
  readonly creationTimeSeconds: number;
  private name: string;
  private sendTagsInEvents = false;
  private readonly tags = new Map<string, string>();
  private readonly operations = new Map<string, Operation>();
  released = false;

  constructor(
    readonly id: string,
    protected readonly host: ObjectHost,
    readonly parent?: MediaObject,
  ) {
    this.creationTimeSeconds = Math.floor(host.clock.now() / 1000);
    this.name = id;
    parent?.children.add(this);
    this.define('getName', () => this.name);
    this.define('setName', (p) => {
      this.name = p.string('name');
      return null;
    });
    this.define('getCreationTime', () => this.creationTimeSeconds);
    this.define('getSendTagsInEvents', () => this.sendTagsInEvents);
    this.define('setSendTagsInEvents', (p) => {
      this.sendTagsInEvents = p.boolean('sendTagsInEvents');
      return null;
    });
    this.define('getParent', () => this.parent?.id ?? null);
    this.define('getMediaPipeline', () => this.pipelineId());
    this.define('getChildren', () => [...this.children].map((child) => child.id));
    this.define('getChilds', () => [...this.children].map((child) => child.id));
    this.define('addTag', (p) => {
      this.tags.set(p.string('key'), p.string('value'));
      return null;
    });
    this.define('removeTag', (p) => {
      this.tags.delete(p.string('key'));
      return null;
    });
    this.define('getTag', (p) => {
      const key = p.string('key');
      const value = this.tags.get(key);
      if (value === undefined)
        throw KurentoError.of('MEDIA_OBJECT_TAG_KEY_NOT_FOUND', `Tag key '${key}' not found`);
      return value;
    });
    this.define('getTags', () => [...this.tags].map(([key, value]) => tagJson(key, value)));
  }

  get qualifiedType(): string {
    return `kurento.${this.type}`;
  }

  /** The id of the pipeline this object lives in (itself for a pipeline, none for the ServerManager). */
  pipelineId(): string | null {
    if (!this.parent) return this.type === 'MediaPipeline' ? this.id : null;
    return this.parent.pipelineId();
  }

  protected define(operation: string, fn: Operation): void {
    this.operations.set(operation, fn);
  }

  supportsEvent(type: string): boolean {
    return this.eventTypes.has(type);
  }

  async invoke(operation: string, params: JsonObject): Promise<JsonValue> {
    const fn = this.operations.get(operation);
    if (!fn) {
      const count = Object.keys(params).length;
      throw KurentoError.of(
        'MALFORMED_TRANSACTION',
        `Method '${operation}' with ${count} parameters not found`,
      );
    }
    const value = await fn(new Params(params));
    return value;
  }

  /** Raises an event with the fields every Kurento event carries (source, timestamps, tags, type). */
  raise(type: string, fields: JsonObject = {}): void {
    if (this.released) return;
    const now = this.host.clock.now();
    const data: JsonObject = {
      ...fields,
      source: this.id,
      tags: this.sendTagsInEvents ? [...this.tags].map(([key, value]) => tagJson(key, value)) : [],
      timestamp: String(Math.floor(now / 1000)),
      timestampMillis: String(now),
      type,
    };
    this.host.raise(this, type, data);
  }

  /** Frees what the object holds; the registry calls it once, children first. */
  async dispose(): Promise<void> {
    this.released = true;
    this.parent?.children.delete(this);
  }
}

export const MEDIA_OBJECT_EVENTS = ['Error'] as const;
