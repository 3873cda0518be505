import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, CliErrorCode, ExitCode } from '../errors/cli.error';

/** What `hoot login` keeps: the token and where it came from (never printed). */
export interface StoredCredentials {
  readonly username: string;
  readonly registryUrls: string[];
  readonly accessToken: string;
  /** ISO time the token stops working. */
  readonly expiresAt: string;
}

export const CREDENTIALS_FILE = 'credentials.json';

function isCredentials(value: unknown): value is StoredCredentials {
  const v = value as Partial<StoredCredentials> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.username === 'string' &&
    typeof v.accessToken === 'string' &&
    typeof v.expiresAt === 'string' &&
    Array.isArray(v.registryUrls) &&
    v.registryUrls.every((u) => typeof u === 'string')
  );
}

/** `credentials.json` in the config folder: written 0600 (folder 0700), replaced atomically. */
export class CredentialsStore {
  constructor(readonly dir: string) {}

  get path(): string {
    return join(this.dir, CREDENTIALS_FILE);
  }

  /** The stored credentials, undefined when there are none; a damaged file is an error naming it. */
  read(): StoredCredentials | undefined {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new CliError(
        CliErrorCode.CredentialsInvalid,
        `cannot read ${this.path}: ${(error as Error).message}`,
        ExitCode.Usage,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!isCredentials(parsed)) {
      throw new CliError(
        CliErrorCode.CredentialsInvalid,
        `${this.path} is damaged`,
        ExitCode.Usage,
        'run `hoot logout` and `hoot login` again',
      );
    }
    return parsed;
  }

  write(credentials: StoredCredentials): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${process.pid}.tmp`;
    // Created 0600 from the start: the token is never readable by others, not even briefly.
    writeFileSync(temp, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temp, 0o600);
    renameSync(temp, this.path);
  }

  /** Removes the file (damaged or not); true when there was one. */
  remove(): boolean {
    const existed = existsSync(this.path);
    rmSync(this.path, { force: true });
    return existed;
  }
}
