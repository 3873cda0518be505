import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerErrorCode } from '@hoot/contracts';
import { ServiceErrorCode } from '@hoot/domain';

const BODY_LIMIT_BYTES = 16 * 1024;

/** A request refused before anything started: answered as a problem with this catalogue code. */
export class BadRequest extends Error {
  constructor(
    readonly code: ServerErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** A JSON object body of at most 16 KiB (else BadRequest: 415, 413, 400). */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    req.resume();
    throw new BadRequest(ServiceErrorCode.UnsupportedMediaType, 'request body must be application/json');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT_BYTES)
      throw new BadRequest(ServiceErrorCode.RequestTooLarge, 'request body is too large');
    chunks.push(chunk as Buffer);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest(ServiceErrorCode.RequestMalformed, 'JSON body is not valid JSON');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BadRequest(ServiceErrorCode.RequestInvalid, 'JSON body must be an object');
  }
  return parsed as Record<string, unknown>;
}
