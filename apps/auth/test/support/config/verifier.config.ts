import { IsInt, IsString, IsUrl, Max, Min } from 'class-validator';
import { EnvList, loadConfig } from '@hoot/service-kit';

/** Settings of the JWKS-only verifier process the integration spec starts (a stand-in for CASH). */
export class VerifierConfig {
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT!: number;

  @IsUrl({ require_tld: false, require_protocol: true })
  JWKS_URL!: string;

  @IsString()
  AUTH_ISSUER!: string;

  @IsString()
  AUTH_AUDIENCE: string = 'hoot';

  @EnvList()
  @IsString({ each: true })
  KAFKA_BROKERS!: string[];

  @IsString()
  AUTH_REVOCATIONS_TOPIC!: string;

  @IsInt()
  @Min(0)
  JWKS_REFETCH_COOLDOWN_MS: number = 10_000;

  @IsString()
  NODE_ID: string = 'verifier-0';
}

export const verifierConfigFromEnvironment = () => loadConfig(VerifierConfig, process.env);
