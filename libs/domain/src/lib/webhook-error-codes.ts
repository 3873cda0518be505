/**
 * Stable codes of the registry's webhook API (the `code` of a problem+json body). Clients branch on these,
 * never on messages: never rename one, only add.
 */
export enum WebhookErrorCode {
  /** The account has no webhook registered. */
  NotFound = 'webhook.not-found',
  /** The URL is not an absolute URL with an allowed scheme, or carries credentials. */
  UrlInvalid = 'webhook.url-invalid',
  /** The URL's host is a loopback, private, link-local or otherwise internal address (SSRF). */
  UrlNotAllowed = 'webhook.url-not-allowed',
  /** No dead letter with this event id for the account. */
  DeadLetterNotFound = 'webhook.dead-letter-not-found',
}
