import { randomBytes } from 'node:crypto';

/**
 * A new endpoint secret in the Standard Webhooks form: `whsec_` and the base64 of 32 random bytes (the
 * specification asks for 24 to 64). `new Webhook(secret)` of the `standardwebhooks` package reads it as is.
 */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
