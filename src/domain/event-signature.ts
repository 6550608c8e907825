import { createHmac } from 'node:crypto';
import { verifyRetailerSignature } from './retailer-signature';

/**
 * How our webhooks are signed, the way Stripe signs its own: `Mor-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256(secret, "<t>.<raw body>")>`. While a secret is rolled, one v1 per live secret is sent, so a receiver
 * holding either verifies. The same scheme as the retailer webhooks we receive, hence the same verifier.
 */
export const EVENT_SIGNATURE_HEADER = 'Mor-Signature';
export const EVENT_SIGNATURE_TOLERANCE_SECONDS = 300;

export function signEventPayload(rawBody: string, secrets: readonly string[], timestampSeconds: number): string {
  const macs = secrets.map((secret) =>
    createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex'),
  );
  return [`t=${timestampSeconds}`, ...macs.map((mac) => `v1=${mac}`)].join(',');
}

/** What a receiver does with the header, the raw body and its secret (see the README). */
export function verifyEventSignature(
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
  nowSeconds: number,
): boolean {
  return verifyRetailerSignature(header, rawBody, secret, nowSeconds, EVENT_SIGNATURE_TOLERANCE_SECONDS);
}
