import { Body, Controller, Get, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import { CurrentIdentity, ServiceGuard, type Identity, type Jwks } from '@hoot/auth-kit';
import { NoStore } from '../http/no-store';
import { RegistryGuard } from '../join-tickets/registry.guard';
import { TicketKeyRequestDto } from './ticket-key-request.dto';
import { TicketKeysService } from './ticket-keys.service';

@Controller()
export class TicketKeysController {
  constructor(private readonly keys: TicketKeysService) {}

  /**
   * Registries only (a service token of an account named `reg-<cloud>-<priority>`, still in good
   * standing): registers the public half of the Ed25519 key the registry signs join tickets with. The
   * kid must start with the caller's registry id; the key is published for `lifetime` (a day).
   */
  @Post('internal/v1/ticket-keys')
  @HttpCode(201)
  @NoStore()
  @UseGuards(ServiceGuard, RegistryGuard)
  register(
    @CurrentIdentity() identity: Identity,
    @Body() body: TicketKeyRequestDto,
  ): Promise<{ kid: string; expiresAt: string }> {
    return this.keys.register(identity, body);
  }

  /** The registries' live ticket keys (CASH verifies join tickets with them; EdDSA only). */
  @Get('.well-known/join-ticket-keys.json')
  @Header('cache-control', 'public, max-age=10')
  jwks(): Promise<Jwks> {
    return this.keys.jwks();
  }
}
