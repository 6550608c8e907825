import jwt from 'jsonwebtoken';
import { loadConfig } from '../config';

/**
 * `npm run -s token -- <role> [userId]`: prints a bearer token signed with JWT_SECRET (the development default
 * when unset), for curl and the ops dashboard. An identity provider issues real tokens in production.
 */
const [role = 'shopper', userId = `demo-${role}`] = process.argv.slice(2);
if (!['shopper', 'ops', 'admin'].includes(role)) {
  console.error('usage: npm run -s token -- <shopper|ops|admin> [userId]');
  process.exit(2);
}
const config = loadConfig();
process.stdout.write(`${jwt.sign({ sub: userId, role }, config.jwtSecret, { algorithm: 'HS256', expiresIn: '30d' })}\n`);
