import { Body, Controller, Post, UseGuards } from '@nestjs/common';
import { CurrentIdentity, ServiceGuard, type Identity } from '@hoot/auth-kit';
import { NoStore } from '../http/no-store';
import { JoinTicketIssuer, type IssuedJoinTicket } from './join-ticket-issuer.service';
import { JoinTicketRequestDto } from './join-ticket-request.dto';
import { RegistryGuard } from './registry.guard';

@Controller('internal/v1/join-tickets')
export class JoinTicketsController {
  constructor(private readonly tickets: JoinTicketIssuer) {}

  /**
   * Registries only (a service token of an account named `reg-<cloud>-<priority>`): signs a short-lived
   * ticket that the CASH of `coremxId` accepts for one identity in one conference.
   */
  @Post()
  @NoStore()
  @UseGuards(ServiceGuard, RegistryGuard)
  issue(@CurrentIdentity() identity: Identity, @Body() body: JoinTicketRequestDto): IssuedJoinTicket {
    return this.tickets.issue(identity.username!, body);
  }
}
