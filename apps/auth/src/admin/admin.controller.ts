import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { AccountProfile } from '@hoot/domain';
import {
  AccountIdParams,
  CreateAccountDto,
  CreateApiKeyDto,
  ListAccountsQueryDto,
} from '../accounts/account.dto';
import { AccountsService, type IssuedApiKey } from '../accounts/accounts.service';
import { NoStore } from '../http/no-store';
import { KeyRingService } from '../keys/key-ring.service';
import { AdminGuard } from './admin.guard';

@Controller('v1/admin')
@UseGuards(AdminGuard)
export class AdminController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly keys: KeyRingService,
  ) {}

  @Post('accounts')
  create(@Body() body: CreateAccountDto): Promise<AccountProfile> {
    return this.accounts.create(body);
  }

  @Get('accounts')
  list(@Query() query: ListAccountsQueryDto): Promise<{ items: AccountProfile[]; next?: string }> {
    return this.accounts.list(query.limit ?? 100, query.after);
  }

  @Get('accounts/:id')
  get(@Param() params: AccountIdParams): Promise<AccountProfile> {
    return this.accounts.get(params.id);
  }

  /** Disables the account and revokes every token it was issued. */
  @Post('accounts/:id/disable')
  @HttpCode(200)
  disable(@Param() params: AccountIdParams): Promise<AccountProfile> {
    return this.accounts.setDisabled(params.id, true);
  }

  @Post('accounts/:id/enable')
  @HttpCode(200)
  enable(@Param() params: AccountIdParams): Promise<AccountProfile> {
    return this.accounts.setDisabled(params.id, false);
  }

  /** A new API key for the account (shown once). */
  @Post('accounts/:id/api-keys')
  @NoStore()
  issueApiKey(@Param() params: AccountIdParams, @Body() body: CreateApiKeyDto): Promise<IssuedApiKey> {
    return this.accounts.issueApiKey(params.id, body.name);
  }

  /** Re-reads the key directory now (it is also re-read periodically). */
  @Post('keys/reload')
  @HttpCode(200)
  reloadKeys(): { kids: string[]; signing: string; added: string[]; removed: string[] } {
    return this.keys.reload();
  }
}
