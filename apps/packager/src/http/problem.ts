import type { ServerResponse } from 'node:http';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
const TYPE_BASE = 'https://hoot.mx/problems/';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Answers an RFC 9457 problem with our stable `code`; never a stack trace. */
export function sendProblem(
  res: ServerResponse,
  status: number,
  code: string,
  detail: string,
  headers: Record<string, string> = {},
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
