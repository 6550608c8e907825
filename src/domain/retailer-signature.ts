import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The retailer webhook signature of the contract: `X-Retailer-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256
 * of "<t>.<raw body>">`. Several v1 values may be present while a retailer rotates its secret.
 */
export const RETAILER_SIGNATURE_TOLERANCE_SECONDS = 300;

export function signRetailerPayload(rawBody: string | Buffer, secret: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.`).update(rawBody).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

export function verifyRetailerSignature(
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
  nowSeconds: number,
  toleranceSeconds = RETAILER_SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  const candidates = parts
    .filter(([key, value]) => key === 'v1' && /^[0-9a-f]{64}$/.test(value ?? ''))
    .map(([, value]) => value);
  if (!Number.isInteger(timestamp) || candidates.length === 0) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex'));
  return candidates.some((candidate) => timingSafeEqual(Buffer.from(candidate), expected));
}
