import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/**
 * The part of a Fastify reply we use. Structural on purpose: `@nestjs/platform-fastify` may carry its own
 * copy of fastify, whose types do not match the root one.
 */
export interface ReplyLike {
  readonly sent: boolean;
  status(code: number): ReplyLike;
  headers(values: Record<string, string>): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(payload: unknown): unknown;
}

/** Global filter: every error leaves as `application/problem+json` with a stable `code`. */
@Catch()
export class ProblemJsonFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemJson');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<ReplyLike>();
    sendProblem(reply, exception, this.logger);
  }
}

/** Writes the problem for `error` (shared by the Nest filter and Fastify's own error handler). */
export function sendProblem(reply: ReplyLike, error: unknown, logger: Pick<Logger, 'error'>): void {
  const { problem, headers, unexpected } = toProblem(error);
  if (unexpected) {
    logger.error({ err: error, code: problem.code }, 'request failed unexpectedly');
  }
  if (reply.sent) return;
  void reply
    .status(problem.status)
    .headers(headers)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send(problem);
}
