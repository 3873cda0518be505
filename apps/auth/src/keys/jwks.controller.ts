import { Controller, Get, Header } from '@nestjs/common';
import type { Jwks } from '@hoot/auth-kit';
import { KeyRingService } from './key-ring.service';

@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: KeyRingService) {}

  /** Every public key (old ones verify until removed); verifiers cache and refetch on unknown kid. */
  @Get('jwks.json')
  @Header('cache-control', 'public, max-age=60')
  jwks(): Jwks {
    return this.keys.ring.jwks();
  }
}
