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
if (config.jwtSecretSource === 'random') {
  // The API makes its own random secret at each start: a token signed here would never be accepted.
  console.error('JWT_SECRET is not set: set the same JWT_SECRET for the API and for this command');
  process.exit(2);
}
process.stdout.write(
  `${jwt.sign({ sub: userId, role }, config.jwtSecret, { algorithm: 'HS256', expiresIn: '30d' })}\n`,
);
