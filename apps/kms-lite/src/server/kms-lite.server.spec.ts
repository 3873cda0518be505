import pino from 'pino';
import { WebSocket } from 'ws';
import { parseConfig } from '../config/kms-lite.config';
import { FakeEngine } from '../engine/fake.engine';
import { KmsLiteServer, KURENTO_PATH } from './kms-lite.server';

function serverFor(env: Record<string, string>): KmsLiteServer {
  const parsed = parseConfig([], { KMS_LITE_PORT: '0', KMS_LITE_ENGINE: 'fake', ...env });
  if (parsed.help) throw new Error('unexpected --help');
  const { config } = parsed;
  return new KmsLiteServer({
    host: config.host,
    port: config.port,
    engine: new FakeEngine({ announcedIp: '127.0.0.1', minPort: config.minPort, maxPort: config.maxPort }),
    sessionGraceMs: config.sessionGraceMs,
    logger: pino({ level: 'silent' }),
  });
}

const pong = (port: number) =>
  new Promise<unknown>((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${KURENTO_PATH}`);
    socket.on('error', reject);
    socket.on('open', () =>
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: {} })),
    );
    socket.on('message', (data) => {
      socket.close();
      resolve(JSON.parse(data.toString()));
    });
  });

describe('KmsLiteServer listening address', () => {
  it('binds loopback only with the default configuration, and CASH beside it still reaches it', async () => {
    const server = serverFor({});
    const { host, port } = await server.start();
    try {
      expect(host).toBe('127.0.0.1');
      expect(await pong(port)).toMatchObject({ id: 1, result: { value: 'pong' } });
    } finally {
      await server.stop();
    }
  });

  it('binds every interface only when KMS_LITE_HOST asks for it', async () => {
    const server = serverFor({ KMS_LITE_HOST: '0.0.0.0' });
    const { host } = await server.start();
    try {
      expect(host).toBe('0.0.0.0');
    } finally {
      await server.stop();
    }
  });
});
