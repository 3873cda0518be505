import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { FaultInputError, type FaultController } from './fault-controller';

const MAX_BODY_BYTES = 64 * 1024;

/**
 * What the admin API drives: the server's fault controller, its identity and its client sockets.
 * `KmsLiteServer` is one; the port keeps this file from importing the server that mounts it.
 */
export interface FaultAdminTarget {
  readonly faults: FaultController;
  readonly instanceId: string;
  readonly connectionCount: number;
  /** Closes every client socket; answers how many. */
  dropConnections(): number;
  /** Comes back as a new instance after `downMs`; answers the new identity. */
  restart(downMs: number): Promise<string>;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function problem(res: ServerResponse, status: number, code: string, detail: string): void {
  res
    .writeHead(status, { 'content-type': 'application/problem+json' })
    .end(JSON.stringify({ type: 'about:blank', title: code, status, code, detail }));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new FaultInputError('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new FaultInputError('body is not valid JSON');
  }
}

/**
 * The fault controller's admin API (enabled with --admin-port):
 *   GET    /faults                     state: serverId, rules, load override, connection count
 *   POST   /faults/drop-connections    close every client socket
 *   POST   /faults/restart             {downMs?}: new identity, all objects and sessions gone
 *   POST   /faults/rules               {action: delay|hang|error, method?, operation?, times?, delayMs?, code?, message?}
 *   DELETE /faults/rules/:id           remove one rule
 *   PUT    /faults/load                {cpuPercent?, memoryKiB?}: what ServerManager reports
 *   DELETE /faults/load                report real load again
 *   DELETE /faults                     remove every rule and the load override
 */
export async function handleAdminRequest(
  server: FaultAdminTarget,
  req: IncomingMessage,
  res: ServerResponse,
  logger: Logger,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  try {
    if (method === 'GET' && path === '/health/live') return send(res, 200, { status: 'ok' });
    if (method === 'GET' && path === '/faults') {
      return send(res, 200, {
        serverId: server.instanceId,
        rules: server.faults.list(),
        load: server.faults.load,
        connections: server.connectionCount,
      });
    }
    if (method === 'DELETE' && path === '/faults') {
      server.faults.reset();
      return send(res, 204);
    }
    if (method === 'POST' && path === '/faults/drop-connections') {
      return send(res, 200, { dropped: server.dropConnections() });
    }
    if (method === 'POST' && path === '/faults/restart') {
      const body = (await readJson(req)) as { downMs?: unknown };
      const downMs = body.downMs ?? 0;
      if (typeof downMs !== 'number' || !Number.isFinite(downMs) || downMs < 0) {
        throw new FaultInputError("'downMs' must be a non-negative number");
      }
      return send(res, 200, { serverId: await server.restart(downMs) });
    }
    if (method === 'POST' && path === '/faults/rules') {
      const rule = server.faults.addRule(await readJson(req));
      logger.warn({ rule }, 'fault rule added');
      return send(res, 201, rule);
    }
    const ruleMatch = /^\/faults\/rules\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && ruleMatch) {
      if (!server.faults.removeRule(decodeURIComponent(ruleMatch[1])))
        return problem(res, 404, 'RULE_NOT_FOUND', 'no such rule');
      return send(res, 204);
    }
    if (method === 'PUT' && path === '/faults/load')
      return send(res, 200, server.faults.setLoad(await readJson(req)));
    if (method === 'DELETE' && path === '/faults/load') {
      server.faults.clearLoad();
      return send(res, 204);
    }
    return problem(res, 404, 'NOT_FOUND', `${method} ${path} is not an admin route`);
  } catch (error) {
    if (error instanceof FaultInputError) return problem(res, 400, 'INVALID_FAULT', error.message);
    logger.error({ err: error }, 'admin request failed');
    return problem(res, 500, 'INTERNAL', 'admin request failed');
  }
}
