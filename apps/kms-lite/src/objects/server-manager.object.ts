import { MediaObject, type ObjectHost } from './media-object';

export const SERVER_MANAGER_ID = 'manager_ServerManager';

/** Kurento's module list; kurento-client refuses to connect unless core, elements and filters are present. */
const MODULES = [
  { name: 'core', factories: ['MediaPipeline', 'PassThrough'] },
  { name: 'elements', factories: ['RtpEndpoint', 'WebRtcEndpoint'] },
  { name: 'filters', factories: [] as string[] },
];

/** The server's own object: info, load figures, and ObjectCreated/ObjectDestroyed. */
export class ServerManagerObject extends MediaObject {
  readonly type = 'ServerManager';
  readonly hierarchy = ['kurento.MediaObject'];
  readonly eventTypes = new Set(['Error', 'ObjectCreated', 'ObjectDestroyed']);
  /** Free-form metadata (KMS reads it from a file; ours is set by config). */
  metadata = '';

  constructor(host: ObjectHost) {
    super(SERVER_MANAGER_ID, host);
    this.define('getInfo', () => ({
      __module__: 'kurento',
      __type__: 'ServerInfo',
      version: host.serverVersion,
      modules: MODULES.map((module) => ({
        __module__: 'kurento',
        __type__: 'ModuleInfo',
        version: host.serverVersion,
        name: module.name,
        generationTime: 'kms-lite',
        factories: module.factories,
      })),
      type: 'KMS',
      capabilities: ['transactions'],
    }));
    this.define('getPipelines', () => host.pipelineIds());
    this.define('getSessions', () => host.sessionIds());
    this.define('getMetadata', () => this.metadata);
    this.define('getUsedMemory', () => host.load.usedMemoryKiB());
    this.define('getCpuCount', () => host.load.cpuCount());
    this.define('getUsedCpu', async (p) => host.load.usedCpuPercent(p.number('interval')));
    this.define('getKmd', (p) => {
      const name = p.string('moduleName');
      return JSON.stringify({
        name,
        version: host.serverVersion,
        kurentoVersion: host.serverVersion,
        remoteClasses: [],
      });
    });
  }
}
