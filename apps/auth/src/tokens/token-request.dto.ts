import { IsIn, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';

/** `POST /v1/tokens`: `{grant_type: "password", username, password}` or `{grant_type: "api_key", api_key}`. */
export class TokenRequestDto {
  @IsIn(['password', 'api_key'])
  grant_type!: 'password' | 'api_key';

  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'password' || o.username !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username?: string;

  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'password' || o.password !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  password?: string;

  @ValidateIf((o: TokenRequestDto) => o.grant_type === 'api_key' || o.api_key !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  api_key?: string;
}
