import jwt from 'jsonwebtoken';
import { startCheckoutHarness, type CheckoutHarness } from './support/checkout-harness';
import { bearer, TEST_JWT_SECRET, tokenFor } from './support/tokens';

let h: CheckoutHarness;
beforeAll(async () => {
  h = await startCheckoutHarness();
});
afterAll(() => h.close());

describe('GET /me', () => {
  it.each([
    ['shopper', 'alice'],
    ['ops', 'olivia'],
    ['admin', 'ada'],
  ] as const)(
    'when a %s asks who they are, then the API answers with the token’s user and role',
    async (role, userId) => {
      const { body } = await h.http.get('/api/v1/me').set(bearer(userId, role)).expect(200);
      expect(body).toEqual({ success: true, data: { userId, role } });
    },
  );

  it('when a token has no role, then the caller is a shopper', async () => {
    const token = jwt.sign({ sub: 'no-role' }, TEST_JWT_SECRET, { algorithm: 'HS256', expiresIn: '1h' });
    const { body } = await h.http.get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(body.data).toEqual({ userId: 'no-role', role: 'shopper' });
  });

  it('when there is no token, or one signed with another secret, then it is 401 unauthorized', async () => {
    const missing = await h.http.get('/api/v1/me').expect(401);
    expect(missing.body).toMatchObject({ success: false, error: { code: 'unauthorized' } });
    const forged = await h.http
      .get('/api/v1/me')
      .set('Authorization', `Bearer ${tokenFor('mallory', 'admin', 'another-secret-of-16-chars')}`)
      .expect(401);
    expect(forged.body.error.code).toBe('unauthorized');
  });
});
