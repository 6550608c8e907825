import jwt from 'jsonwebtoken';
import type { Role } from '../../src/domain/principal';

export const TEST_JWT_SECRET = 'test-secret-at-least-16-chars';

export function tokenFor(userId: string, role: Role = 'shopper', secret = TEST_JWT_SECRET): string {
  return jwt.sign({ sub: userId, role }, secret, { algorithm: 'HS256', expiresIn: '1h' });
}

export const bearer = (userId: string, role: Role = 'shopper') => ({
  Authorization: `Bearer ${tokenFor(userId, role)}`,
});
