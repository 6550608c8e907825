#!/usr/bin/env node
// Installs the real commerce platforms the tests buy from (tests/platforms/<name>, each with its own package.json
// and package-lock.json, so the product's own install stays lean). Runs `npm ci` in a platform's folder only when
// its node_modules is missing or older than its lock file, so a warm machine pays nothing. Called by `npm test`.
'use strict';
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', 'tests', 'platforms');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

for (const name of readdirSync(root)) {
  const dir = join(root, name);
  const lock = join(dir, 'package-lock.json');
  if (!existsSync(lock)) continue;
  const installed = join(dir, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) continue;
  console.log(`installing the test platform ${name} (npm ci --prefix tests/platforms/${name}) …`);
  execFileSync(npm, ['ci', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
}
