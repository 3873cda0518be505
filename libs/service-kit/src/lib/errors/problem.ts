import { HttpException } from '@nestjs/common';
import { ServiceErrorCode } from '@hoot/domain';
import { HootException } from './hoot.exception';

/** RFC 9457 problem details, plus our stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extension: string]: unknown;
}

export interface ProblemAnswer {
  problem: Problem;
  headers: Record<string, string>;
  /** True when the failure is ours (5xx from an unexpected error): log it with its stack. */
  unexpected: boolean;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_TYPE_BASE = 'https://hoot.mx/problems/';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Errors Fastify raises before a route handler runs (body parsing), by their `code`. */
const FASTIFY_CODES: Record<string, { code: ServiceErrorCode; status: number; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: ServiceErrorCode.RequestTooLarge,
    status: 413,
    detail: 'request body is too large',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: ServiceErrorCode.UnsupportedMediaType,
    status: 415,
    detail: 'request body must be application/json',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: ServiceErrorCode.RequestMalformed,
    status: 400,
    detail: 'JSON body is empty',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: ServiceErrorCode.RequestMalformed,
    status: 400,
    detail: 'JSON body is not valid JSON',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: ServiceErrorCode.RequestMalformed,
    status: 400,
    detail: 'content-length does not match the body',
  },
};

/** Codes for Nest's own HttpExceptions (unknown route, a built-in pipe) by status. */
function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return ServiceErrorCode.RequestInvalid;
    case 404:
      return ServiceErrorCode.RouteNotFound;
    case 413:
      return ServiceErrorCode.RequestTooLarge;
    case 415:
      return ServiceErrorCode.UnsupportedMediaType;
    case 503:
      return ServiceErrorCode.Unavailable;
    default:
      return status >= 500 ? ServiceErrorCode.Internal : `http.${status}`;
  }
}

export function problem(
  code: string,
  status: number,
  detail: string,
  extensions: Record<string, unknown> = {},
): Problem {
  return {
    ...extensions,
    type: `${PROBLEM_TYPE_BASE}${code}`,
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    detail,
    code,
  };
}

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/** Maps anything thrown while serving a request to the problem the client gets. One exhaustive place. */
export function toProblem(error: unknown): ProblemAnswer {
  if (error instanceof HootException) {
    return {
      problem: problem(error.code, error.status, error.message, error.details),
      headers: error.headers ?? {},
      unexpected: error.status >= 500,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response && 'message' in response
        ? String((response as { message: unknown }).message)
        : error.message;
    return {
      problem: problem(codeForStatus(status), status, message),
      headers: {},
      unexpected: status >= 500,
    };
  }
  const e = (error ?? {}) as FastifyLikeError;
  if (typeof e.code === 'string' && FASTIFY_CODES[e.code]) {
    const known = FASTIFY_CODES[e.code];
    return { problem: problem(known.code, known.status, known.detail), headers: {}, unexpected: false };
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const detail = typeof e.message === 'string' ? e.message : 'bad request';
    const code = e.statusCode === 400 ? ServiceErrorCode.RequestMalformed : codeForStatus(e.statusCode);
    return { problem: problem(code, e.statusCode, detail), headers: {}, unexpected: false };
  }
  return {
    problem: problem(ServiceErrorCode.Internal, 500, 'unexpected error; see the service log'),
    headers: {},
    unexpected: true,
  };
}
