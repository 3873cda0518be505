import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem';

/** Global filter: every error leaves as `application/problem+json` with a stable `code`. */
@Catch()
export class ProblemJsonFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemJson');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    sendProblem(reply, exception, this.logger);
  }
}

/** Writes the problem for `error` (shared by the Nest filter and Fastify's own error handler). */
export function sendProblem(reply: FastifyReply, error: unknown, logger: Pick<Logger, 'error'>): void {
  const { problem, headers, unexpected } = toProblem(error);
  if (unexpected) {
    logger.error({ err: error, code: problem.code }, 'request failed unexpectedly');
  }
  if (reply.sent) return;
  void reply.status(problem.status).headers(headers).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
}
