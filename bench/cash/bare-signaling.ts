/**
 * The CASH join benchmark's same-run baseline, as a process of its own (as CASH is): a bare WebSocket
 * server on loopback that answers the two timed messages with no work behind them but the parse and the
 * same ticket check (RS256 signature, audience and expiry): `join` → `joined`, `publish` → `publish-answer`
 * with a canned SDP. What is left of CASH's latency over this one is CASH's own work and its waits (media
 * server round trips, the journal's fsync). Reads the public key (PEM) from BARE_PUBLIC_KEY_PEM and the
 * audience from BARE_AUDIENCE, and prints `bare signaling listening <url>` once it listens.
 *
 * With `startBareSignalingProcess` the benchmark starts it.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { ManagedProcess, workspaceRoot } from '@hoot/testing';

const ANSWER = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

function checkTicket(ticket: unknown, key: KeyObject, audience: string): string | undefined {
  if (typeof ticket !== 'string') return 'no ticket';
  const [header, payload, signature] = ticket.split('.');
  if (!header || !payload || !signature) return 'malformed';
  const ok = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    key,
    Buffer.from(signature, 'base64url'),
  );
  if (!ok) return 'bad signature';
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    aud?: unknown;
    exp?: number;
  };
  if (claims.aud !== audience) return 'wrong audience';
  if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return 'expired';
  return undefined;
}

export async function startBareSignalingProcess(
  publicKey: KeyObject,
  audience: string,
): Promise<{ url: string; pid: number; close: () => Promise<void> }> {
  let url = '';
  const child = await ManagedProcess.start({
    name: 'bare-signaling',
    command: process.execPath,
    args: [
      '--require',
      join(workspaceRoot(), 'tools/ts-node/register.js'),
      join(workspaceRoot(), 'bench/cash/bare-signaling.ts'),
    ],
    cwd: workspaceRoot(),
    env: {
      ...process.env,
      BARE_PUBLIC_KEY_PEM: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      BARE_AUDIENCE: audience,
    },
    readyLine: /^bare signaling listening /,
    onLine: (line) => {
      const m = /^bare signaling listening (\S+)/.exec(line);
      if (m) url = m[1];
    },
    readyTimeoutMs: 60_000,
  });
  return { url, pid: child.pid!, close: () => child.stop(5_000) };
}

if (require.main === module) {
  const pem = process.env.BARE_PUBLIC_KEY_PEM;
  const audience = process.env.BARE_AUDIENCE;
  if (!pem || !audience) throw new Error('BARE_PUBLIC_KEY_PEM and BARE_AUDIENCE must be set');
  const key = createPublicKey(pem);
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', (ws) => {
    ws.on('message', (data) => {
      let message: { type?: unknown; id?: unknown; ticket?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        ws.send(JSON.stringify({ type: 'error', code: 'MESSAGE_MALFORMED' }));
        return;
      }
      const re = typeof message.id === 'string' ? { re: message.id } : {};
      if (message.type === 'join') {
        const refused = checkTicket(message.ticket, key, audience);
        ws.send(
          JSON.stringify(
            refused
              ? { type: 'error', ...re, code: 'TICKET_INVALID', message: refused }
              : { type: 'joined', ...re, participantId: 'p-1', room: {} },
          ),
        );
      } else if (message.type === 'publish') {
        ws.send(JSON.stringify({ type: 'publish-answer', ...re, sdpAnswer: ANSWER }));
      } else if (message.type === 'end') {
        ws.send(JSON.stringify({ type: 'room-ended', reason: 'ended' }));
      }
    });
  });
  server.on('listening', () => {
    const address = server.address();
    if (!address || typeof address === 'string') throw new Error(`unexpected address ${address}`);
    console.log(`bare signaling listening ws://127.0.0.1:${address.port}`);
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
