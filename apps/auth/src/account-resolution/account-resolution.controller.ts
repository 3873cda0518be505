import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import { CurrentIdentity, ServiceGuard, type Identity } from '@hoot/auth-kit';
import { RegistryGuard } from '../join-tickets/registry.guard';
import { AccountResolver, type ResolveAccountsResponse } from './account-resolver.service';
import { ResolveAccountsRequestDto } from './resolve-accounts-request.dto';

@Controller('internal/v1/accounts')
export class AccountResolutionController {
  constructor(private readonly resolver: AccountResolver) {}

  /**
   * Registries only (like join tickets): the account ids of the usernames (or ids) a conference lists;
   * names that are no enabled user account come back in `unknown`.
   */
  @Post('resolve')
  @HttpCode(200)
  @UseGuards(ServiceGuard, RegistryGuard)
  resolve(
    @CurrentIdentity() identity: Identity,
    @Body() body: ResolveAccountsRequestDto,
  ): Promise<ResolveAccountsResponse> {
    return this.resolver.resolve(identity.username!, body.names);
  }
}
