import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import puppeteer, { type Browser } from 'puppeteer-core';
import { CHROMIUM_ARGS } from '../../src/placement/browser-pool';

/** The app served on a loopback port, and a real Chromium with its own profile to open the ops dashboard in it. */
export interface DashboardBrowser {
  baseUrl: string;
  browser: Browser;
  close(): Promise<void>;
}

export async function openDashboardBrowser(app: Express, profilePrefix: string): Promise<DashboardBrowser> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const profileDir = await mkdtemp(join(tmpdir(), `${profilePrefix}-`));
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    userDataDir: profileDir,
  });
  return {
    baseUrl,
    browser,
    async close() {
      await browser.close();
      await rm(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
