import type { HootErrorCode } from '@hoot/contracts';
import type { WebErrorCode } from './web-error-codes';

/** Every code the app can meet: the catalogue of `@hoot/contracts` and the app's own. */
export type KnownErrorCode = HootErrorCode | WebErrorCode;

/** The words the app has for one code. */
export interface ErrorEntry {
  title: string;
  message: string;
  retryable?: boolean;
  leavesRoom?: boolean;
  signInAgain?: boolean;
}

export const LATER = 'Please try again in a moment.';

export const CHECK_THE_FORM: ErrorEntry = {
  title: 'Check the form',
  message: 'Some of the values are not valid.',
};

/**
 * One entry per code, exhaustive (a new code anywhere in the catalogue does not compile until it is decided
 * here). `null`: no words of our own: the general rules of `fallbackFor` apply (a token problem asks to sign
 * in again, a request problem says to check the form, anything else shows the server's or the SDK's message).
 */
export type ErrorMessages = Readonly<Record<KnownErrorCode, ErrorEntry | null>>;

/** A part of the table (one family of codes); `error-messages.ts` puts the parts together and checks it is whole. */
export type ErrorMessagesPart = Partial<ErrorMessages>;
