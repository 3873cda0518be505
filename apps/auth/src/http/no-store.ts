import { Header, applyDecorators } from '@nestjs/common';

/**
 * For every answer that carries a credential (access token, join ticket, API key): no cache, shared or
 * private, may keep it (RFC 6749 §5.1; `Pragma` for HTTP/1.0 caches).
 */
export const NoStore = (): MethodDecorator =>
  applyDecorators(Header('Cache-Control', 'no-store'), Header('Pragma', 'no-cache'));
