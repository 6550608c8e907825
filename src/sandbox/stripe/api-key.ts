import { unauthorized } from './stripe-error';

/**
 * Stripe authenticates with the secret key as a bearer token or as the Basic-auth user name (`curl -u sk_…:`).
 * The sandbox is test mode only: any `sk_test_…` or `rk_test_…` key is accepted, live keys never are.
 */
const TEST_KEY = /^(sk|rk)_test_[A-Za-z0-9_]+$/;

export function authenticate(authorization: string | undefined): string {
  const key = readKey(authorization);
  if (!key) {
    throw unauthorized(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details.",
    );
  }
  if (!TEST_KEY.test(key)) {
    throw unauthorized(
      `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(key.length - 12, 0))}${key.slice(-4)}`,
    );
  }
  return key;
}

function readKey(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const [scheme, credentials = ''] = authorization.trim().split(/\s+/, 2);
  if (/^bearer$/i.test(scheme)) return credentials || undefined;
  if (/^basic$/i.test(scheme)) return Buffer.from(credentials, 'base64').toString('utf8').split(':')[0] || undefined;
  return undefined;
}
