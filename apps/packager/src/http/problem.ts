import type { ServerResponse } from 'node:http';
import { httpStatusOf, type ServerErrorCode } from '@hoot/contracts';
import { ServiceErrorCode } from '@hoot/domain';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://hoot.mx/problems/';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  507: 'Insufficient Storage',
};

/**
 * Answers an RFC 9457 problem with our stable `code`; never a stack trace. The status is the catalogue's
 * (`httpStatusOf`), so the packager and every client agree on it; only a 405 (wrong method on a route
 * that exists) passes its own.
 */
export function sendProblem(
  res: ServerResponse,
  code: ServerErrorCode,
  detail: string,
  headers: Record<string, string> = {},
  status: number = httpStatusOf(code),
): void {
  const body = JSON.stringify({
    type: `${TYPE_BASE}${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
  });
  res.writeHead(status, { ...headers, 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' });
  res.end(body);
}

/** 405: the route exists, the method does not (code `request.invalid`). */
export function sendMethodNotAllowed(
  res: ServerResponse,
  allowed: string,
  headers: Record<string, string> = {},
): void {
  sendProblem(res, ServiceErrorCode.RequestInvalid, `${allowed} only`, { ...headers, allow: allowed }, 405);
}
