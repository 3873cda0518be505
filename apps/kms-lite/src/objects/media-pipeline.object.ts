import { MediaObject, type ObjectHost } from './media-object';

/** A pipeline: the parent of every element created in it; releasing it releases them all. */
export class MediaPipelineObject extends MediaObject {
  readonly type = 'MediaPipeline';
  readonly hierarchy = ['kurento.MediaObject'];
  readonly eventTypes = new Set(['Error']);
  private latencyStats = false;

  constructor(id: string, host: ObjectHost) {
    super(id, host);
    this.define('getLatencyStats', () => this.latencyStats);
    this.define('setLatencyStats', (p) => {
      this.latencyStats = p.boolean('latencyStats');
      return null;
    });
    this.define('getGstreamerDot', () => `digraph "${id}" {}`);
    this.define('dumpGstreamerDot', () => `digraph "${id}" {}`);
  }
}
