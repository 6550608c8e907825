// Installs the test platforms' own dependencies (tests/platforms/*/package.json) when they are missing, so the
// README's one test command works on a fresh machine. `npm ci`, falling back to `npm install` when this npm
// version's lock file lacks other platforms' optional binaries (see .ci/run).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', 'tests', 'platforms');
for (const name of existsSync(root) ? readdirSync(root) : []) {
  const dir = join(root, name);
  if (!existsSync(join(dir, 'package.json')) || existsSync(join(dir, 'node_modules', '.package-lock.json'))) continue;
  process.stderr.write(`[platforms] installing ${name} (npm ci --prefix tests/platforms/${name})\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    execFileSync(npm, ['ci', '--no-audit', '--no-fund', '--prefix', dir], { stdio: 'inherit' });
  } catch {
    execFileSync(npm, ['install', '--no-audit', '--no-fund', '--prefix', dir], { stdio: 'inherit' });
  }
}
