import { dirname, join } from 'node:path';
import express, { Router, type Response } from 'express';

/**
 * The static files live beside the sources (src/ops-dashboard) and are served from there: `npm start` runs the
 * TypeScript directly, and `npm run build` copies them next to the compiled code.
 */
export const OPS_DASHBOARD_DIR = join(__dirname, '..', 'ops-dashboard');
/** Chart.js's self-contained build, served from the installed package (its version is the lockfile's). */
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');

/**
 * The page only ever talks to this origin's /api/v1 and renders API data as text nodes; the policy makes
 * that a rule the browser enforces, so a product URL or a reason typed by someone cannot become a script.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The ops dashboard at /ops: plain HTML, CSS and JavaScript, no build step. No authentication on the
 * assets themselves; every API call the page makes carries the ops bearer token the person signs in with.
 */
export function opsDashboardRoutes(): Router {
  const router = Router();
  router.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  // `no-cache` revalidates with the ETag: a redeploy's dashboard is picked up on the next load.
  const noCache = { setHeaders: (res: Response) => res.setHeader('Cache-Control', 'no-cache') };
  // express.static answers a mount point without its trailing slash (`/ops`) with a redirect or a 404.
  router.get('/', (_req, res) =>
    res.sendFile(join(OPS_DASHBOARD_DIR, 'index.html'), { headers: { 'Cache-Control': 'no-cache' } }),
  );
  router.get('/vendor/chart.umd.min.js', (_req, res) =>
    res.sendFile(CHART_JS, { headers: { 'Cache-Control': 'no-cache' } }),
  );
  router.use(express.static(OPS_DASHBOARD_DIR, { index: false, redirect: false, ...noCache }));
  return router;
}
