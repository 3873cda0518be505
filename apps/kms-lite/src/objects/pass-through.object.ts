import type { EngineElement } from '../engine/media-engine';
import { MEDIA_ELEMENT_EVENTS, MediaElement } from './media-element';
import type { MediaObject, ObjectHost } from './media-object';

/** Kurento's PassThrough: forwards whatever its source sends to every connected sink. */
export class PassThroughObject extends MediaElement {
  readonly type = 'PassThrough';
  readonly hierarchy = ['kurento.MediaElement', 'kurento.MediaObject'];
  readonly eventTypes = new Set<string>(MEDIA_ELEMENT_EVENTS);
  readonly engineElement: EngineElement;

  constructor(id: string, host: ObjectHost, pipeline: MediaObject) {
    super(id, host, pipeline);
    this.engineElement = host.engine.createPassThrough(id);
  }
}
