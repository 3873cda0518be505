import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  ADMIN_ROLE,
  AuthErrorCode,
  SERVICE_ROLE,
  type AccountProfile,
  type AccountRecord,
  type AccountStore,
  type ApiKeyStore,
  type Clock,
} from '@hoot/domain';
import { DuplicateKeyError } from '@hoot/mongo';
import { HootException, invalidRequest } from '@hoot/service-kit';
import { ACCOUNT_STORE, API_KEY_STORE, CLOCK } from '../auth.tokens';
import { authError } from '../errors/auth-error';
import { RevocationsService, type RevocationOutcome } from '../revocations/revocations.service';
import type { CreateAccountDto } from './account.dto';
import { hashSecret, newApiKey, parseApiKey, secretMatches } from './api-key.codec';
import { PasswordHasher } from './password-hasher';

/** Limits of an account created without explicit ones. */
export const DEFAULT_LIMITS = { maxConferences: 10, maxParticipants: 50 } as const;

export interface IssuedApiKey {
  id: string;
  accountId: string;
  name: string;
  /** Shown once; only its hash is stored. */
  apiKey: string;
  createdAt: string;
}

export function profileOf(record: AccountRecord): AccountProfile {
  const { id, username, displayName, kind, organisation, plan, roles, limits, disabled, createdAt } = record;
  return {
    id,
    username,
    displayName,
    kind,
    organisation,
    plan,
    roles: [...roles],
    limits: { maxConferences: limits.maxConferences, maxParticipants: limits.maxParticipants },
    disabled,
    createdAt,
  };
}

const isDuplicate = (error: unknown) =>
  error instanceof DuplicateKeyError || (error as { code?: unknown })?.code === 'duplicate';

@Injectable()
export class AccountsService {
  private readonly logger = new Logger(AccountsService.name);
  /** Verified against when the username is unknown, so both paths cost one scrypt. */
  private dummyHash: Promise<string> | undefined;

  constructor(
    @Inject(ACCOUNT_STORE) private readonly accounts: AccountStore,
    @Inject(API_KEY_STORE) private readonly apiKeys: ApiKeyStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly hasher: PasswordHasher,
    private readonly revocations: RevocationsService,
  ) {}

  async create(dto: CreateAccountDto): Promise<AccountProfile> {
    const kind = dto.kind ?? 'user';
    if (kind === 'user' && !dto.password) {
      throw invalidRequest([{ field: 'password', problems: ['password is required for user accounts'] }]);
    }
    if (kind === 'service' && dto.password) {
      throw invalidRequest([
        { field: 'password', problems: ['service accounts use API keys, not passwords'] },
      ]);
    }
    const roles = new Set(dto.roles ?? []);
    if (kind === 'service') roles.add(SERVICE_ROLE);
    else roles.delete(SERVICE_ROLE);
    const record: AccountRecord = {
      id: `acc_${randomUUID()}`,
      username: dto.username,
      displayName: dto.displayName,
      kind,
      organisation: dto.organisation ?? '',
      plan: dto.plan ?? 'standard',
      roles: [...roles].sort(),
      limits: { ...DEFAULT_LIMITS, ...(dto.limits ?? {}) },
      disabled: false,
      createdAt: new Date(this.clock.now()).toISOString(),
      ...(dto.password ? { passwordHash: await this.hasher.hash(dto.password) } : {}),
    };
    try {
      await this.accounts.create(record);
    } catch (error) {
      if (isDuplicate(error))
        throw authError(AuthErrorCode.AccountExists, `username ${dto.username} is taken`);
      throw error;
    }
    this.logger.log({ account: record.id, username: record.username, kind }, 'account created');
    return profileOf(record);
  }

  async get(id: string): Promise<AccountProfile> {
    return profileOf(await this.require(id));
  }

  async findRecord(id: string): Promise<AccountRecord | undefined> {
    return this.accounts.findById(id);
  }

  async list(limit: number, after?: string): Promise<{ items: AccountProfile[]; next?: string }> {
    const page = await this.accounts.list(limit, after);
    return { items: page.items.map(profileOf), ...(page.next ? { next: page.next } : {}) };
  }

  /** Disables the account and revokes every token it holds (local verifiers learn through the topic). */
  async setDisabled(id: string, disabled: boolean): Promise<AccountProfile> {
    const updated = await this.accounts.setDisabled(id, disabled);
    if (!updated) throw this.notFound(id);
    if (disabled) await this.revokeSubject(id, this.clock.now());
    this.logger.log({ account: id, disabled }, disabled ? 'account disabled' : 'account enabled');
    return profileOf(updated);
  }

  /** Revokes every token `id` was issued before `beforeMs` (persisted on the account, and published). */
  async revokeSubject(id: string, beforeMs: number): Promise<RevocationOutcome> {
    await this.accounts.raiseTokensNotBefore(id, beforeMs);
    return this.revocations.revokeSubject(id, beforeMs);
  }

  async issueApiKey(accountId: string, name: string, presetKey?: string): Promise<IssuedApiKey> {
    await this.require(accountId);
    const generated = presetKey ? { key: presetKey, ...parseApiKey(presetKey)! } : newApiKey();
    const createdAt = new Date(this.clock.now()).toISOString();
    await this.apiKeys.create({
      id: generated.id,
      accountId,
      name,
      secretHash: hashSecret(generated.secret),
      createdAt,
      revoked: false,
    });
    this.logger.log({ account: accountId, apiKeyId: generated.id }, 'API key issued');
    return { id: generated.id, accountId, name, apiKey: generated.key, createdAt };
  }

  /** The enabled account with this username and password, or undefined (same work either way). */
  async authenticatePassword(username: string, password: string): Promise<AccountRecord | undefined> {
    const account = await this.accounts.findByUsername(username);
    if (!account?.passwordHash) {
      this.dummyHash ??= this.hasher.hash('not-a-real-password');
      await this.hasher.verify(password, await this.dummyHash);
      return undefined;
    }
    const ok = await this.hasher.verify(password, account.passwordHash);
    return ok && !account.disabled ? account : undefined;
  }

  /** The enabled account owning this API key, or undefined. */
  async authenticateApiKey(apiKey: string): Promise<AccountRecord | undefined> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return undefined;
    const record = await this.apiKeys.findById(parsed.id);
    if (!record || record.revoked || !secretMatches(parsed.secret, record.secretHash)) return undefined;
    const account = await this.accounts.findById(record.accountId);
    return account && !account.disabled ? account : undefined;
  }

  /** Creates the configured first admin and service accounts when they do not exist yet. */
  async bootstrap(
    admin?: { username: string; password: string },
    services: { name: string; apiKey: string }[] = [],
  ): Promise<void> {
    if (admin && !(await this.accounts.findByUsername(admin.username))) {
      await this.createIfAbsent({
        username: admin.username,
        displayName: 'Administrator',
        password: admin.password,
        roles: [ADMIN_ROLE],
      });
    }
    for (const service of services) {
      const parsed = parseApiKey(service.apiKey);
      if (!parsed) throw new Error(`bootstrap service key for ${service.name} is not an hk_ key`);
      let account = await this.accounts.findByUsername(service.name);
      if (!account) {
        await this.createIfAbsent({ username: service.name, displayName: service.name, kind: 'service' });
        account = await this.accounts.findByUsername(service.name);
      }
      if (account && !(await this.apiKeys.findById(parsed.id))) {
        try {
          await this.issueApiKey(account.id, 'bootstrap', service.apiKey);
        } catch (error) {
          if (!isDuplicate(error)) throw error;
        }
      }
    }
  }

  private async createIfAbsent(dto: CreateAccountDto): Promise<void> {
    try {
      await this.create(dto);
    } catch (error) {
      // Another replica bootstrapped it at the same moment.
      if (!(error instanceof HootException && error.code === AuthErrorCode.AccountExists)) throw error;
    }
  }

  private async require(id: string): Promise<AccountRecord> {
    const account = await this.accounts.findById(id);
    if (!account) throw this.notFound(id);
    return account;
  }

  private notFound(id: string): HootException {
    return authError(AuthErrorCode.AccountNotFound, `no account ${id}`);
  }
}
