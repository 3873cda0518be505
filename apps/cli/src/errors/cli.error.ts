/** Exit codes of `hoot` (documented in the README; scripts branch on them). */
export enum ExitCode {
  Ok = 0,
  /** A server answered and refused (problem+json code and message printed). */
  Refused = 1,
  /** The command line is wrong (unknown command or flag, missing or bad value). */
  Usage = 2,
  /** Nothing answered: no registry, CASH, Kafka broker or Kubernetes API server could be reached. */
  Unreachable = 3,
  /** Stopped by Ctrl-C (128 + SIGINT, as shells report it). */
  Interrupted = 130,
}

/** Stable codes of the errors the CLI raises itself (servers' codes are printed as they come). */
export enum CliErrorCode {
  UsageInvalid = 'cli.usage-invalid',
  NotLoggedIn = 'cli.not-logged-in',
  NoRegistry = 'cli.no-registry',
  CredentialsInvalid = 'cli.credentials-invalid',
  CoreMxNotFound = 'cli.coremx-not-found',
  ApiKeyMissing = 'cli.api-key-missing',
  Unreachable = 'cli.unreachable',
  Interrupted = 'cli.interrupted',
}

/** An expected failure: printed as `error: <code>: <message>` (no stack) and mapped to its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A usage error (exit 2); the hint names the command's `--help`. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(CliErrorCode.UsageInvalid, message, ExitCode.Usage, hint);
}
