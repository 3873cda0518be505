import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import type { AccountKind } from '@hoot/domain';
import { OptionalNotNull } from '../validation/optional-not-null';

export class AccountLimitsDto {
  @IsInt()
  @Min(0)
  @Max(100_000)
  maxConferences!: number;

  @IsInt()
  @Min(1)
  @Max(100_000)
  maxParticipants!: number;
}

export class CreateAccountDto {
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9._-]{2,63}$/, {
    message: 'username must be 3-64 of a-z 0-9 . _ -, starting with a letter or digit',
  })
  username!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(128)
  displayName!: string;

  @OptionalNotNull()
  @IsIn(['user', 'service'])
  kind?: AccountKind;

  /** Required for users, refused for services (they use API keys). */
  @OptionalNotNull()
  @IsString()
  @MinLength(12)
  @MaxLength(256)
  password?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(128)
  organisation?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(64)
  plan?: string;

  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, { each: true })
  roles?: string[];

  @OptionalNotNull()
  @ValidateNested()
  @Type(() => AccountLimitsDto)
  limits?: AccountLimitsDto;
}

export class ListAccountsQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  after?: string;
}

export class CreateApiKeyDto {
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  name!: string;
}

export class AccountIdParams {
  @IsString()
  @Matches(/^acc_[A-Za-z0-9-]{1,64}$/, { message: 'id must be an account id (acc_…)' })
  id!: string;
}
