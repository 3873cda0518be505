import { Type } from 'class-transformer';
import { Equals, IsObject, IsString, Matches, ValidateNested } from 'class-validator';
import { TICKET_KEY_ID } from '@hoot/auth-kit';

/** The public half of an Ed25519 key as a JWK (nothing else is accepted). */
export class TicketPublicKeyDto {
  @Equals('OKP', { message: 'kty must be OKP' })
  kty!: 'OKP';

  @Equals('Ed25519', { message: 'crv must be Ed25519' })
  crv!: 'Ed25519';

  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'x must be 32 bytes of base64url (43 characters)' })
  x!: string;
}

/** `POST /internal/v1/ticket-keys`: a registry's join-ticket key (see the README). */
export class TicketKeyRequestDto {
  /** `<registry id>.<16–43 base64url characters>`; the registry id must be the caller's. */
  @IsString()
  @Matches(TICKET_KEY_ID, { message: 'kid must be <registry id>.<16-43 base64url characters>' })
  kid!: string;

  @IsObject()
  @ValidateNested()
  @Type(() => TicketPublicKeyDto)
  publicKey!: TicketPublicKeyDto;
}
