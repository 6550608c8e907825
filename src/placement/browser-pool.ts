import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export interface BrowserPoolOptions {
  /** Pages open at once; further `withPage` calls wait their turn. */
  maxPages?: number;
  executablePath?: string;
  launchTimeoutMs?: number;
  /** More Chromium flags, e.g. `--proxy-server=…` to reach shops through a proxy. */
  extraArgs?: string[];
}

/** Lends out short-lived pages of one shared Chromium. */
export interface BrowserPool {
  /**
   * Runs `fn` with a fresh page in its own incognito browser context (no cookies shared with any other call),
   * and closes the context afterwards, whatever `fn` did.
   */
  withPage<T>(fn: (page: Page) => Promise<T>): Promise<T>;
  /** Closes Chromium; waiting and later `withPage` calls are refused. */
  close(): Promise<void>;
  /**
   * Whether Chromium can run at all (the executable exists and answers `--version`). Checked once at start-up
   * and again whenever a launch fails for a reason the browser cannot outgrow.
   */
  probe(): Promise<BrowserAvailability>;
}

export type BrowserAvailability = { ok: true; version: string } | { ok: false; reason: string };

/** Chromium is missing or broken: retrying will not help until someone fixes the installation. */
export class BrowserUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`Chromium is not available: ${reason}`);
    this.name = 'BrowserUnavailableError';
  }
}

/** Runs `chromium --version`: cheap, and fails the same way a launch would when the binary is missing or broken. */
export async function probeChromium(executablePath: string, timeoutMs = 15_000): Promise<BrowserAvailability> {
  try {
    await access(executablePath, constants.X_OK);
  } catch (error) {
    return {
      ok: false,
      reason: `${executablePath} is missing or not executable (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    };
  }
  return new Promise((resolve) => {
    execFile(executablePath, ['--version'], { timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error)
        resolve({
          ok: false,
          reason: `${executablePath} --version failed: ${(stderr || error.message).trim().slice(0, 200)}`,
        });
      else resolve({ ok: true, version: stdout.trim() });
    });
  });
}

/** Flags for a server without a display, a sandbox or outside network access. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Chrome may still be writing to its profile as it exits; a leftover temp dir is not worth failing over. */
const removeProfile = (dir: string) =>
  rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(() => undefined);

interface Launched {
  browser: Browser;
  userDataDir: string;
}

export class BrowserPoolClosedError extends Error {
  constructor() {
    super('browser pool is closed');
    this.name = 'BrowserPoolClosedError';
  }
}

/**
 * Chromium is launched on first use and again after it crashed or disconnected, each time with a fresh
 * temporary profile that is deleted when that browser goes away.
 */
export function createBrowserPool({
  maxPages = 2,
  executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  launchTimeoutMs = 30_000,
  extraArgs = [],
}: BrowserPoolOptions = {}): BrowserPool {
  if (!Number.isInteger(maxPages) || maxPages < 1)
    throw new RangeError(`maxPages must be a positive integer, got ${maxPages}`);
  let launched: Promise<Launched> | undefined;
  let closed = false;
  let availability: Promise<BrowserAvailability> | undefined;
  let active = 0;
  const waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  async function launch(): Promise<Launched> {
    const userDataDir = await mkdtemp(join(tmpdir(), 'mor-chromium-'));
    try {
      const browser = await puppeteer.launch({
        executablePath,
        headless: true,
        args: [...CHROMIUM_ARGS, ...extraArgs],
        userDataDir,
        timeout: launchTimeoutMs,
        // Bounds any single DevTools call, so a hung renderer frees its pool slot (Puppeteer's default is 3 min).
        protocolTimeout: 60_000,
      });
      return { browser, userDataDir };
    } catch (error) {
      await removeProfile(userDataDir);
      throw error;
    }
  }

  function startLaunch(): Promise<Launched> {
    const pending: Promise<Launched> = launch().then((result) => {
      result.browser.once('disconnected', () => {
        if (launched === pending) launched = undefined;
        void removeProfile(result.userDataDir);
      });
      return result;
    });
    // A failed launch must not stick: the next call tries again.
    pending.catch(() => {
      if (launched === pending) launched = undefined;
    });
    return pending;
  }

  const probe = () =>
    (availability ??= probeChromium(executablePath).then((result) => {
      // A broken install is reported at once, and looked at again a minute later (someone may have fixed it).
      if (!result.ok) setTimeout(() => void (availability = undefined), 60_000).unref();
      return result;
    }));

  async function connectedBrowser(): Promise<Browser> {
    if (closed) throw new BrowserPoolClosedError();
    const known = await probe();
    if (!known.ok) throw new BrowserUnavailableError(known.reason);
    const pending = (launched ??= startLaunch());
    const { browser } = await pending.catch(async (error) => {
      // A launch can fail for a moment (memory, a busy machine) or for good: ask the binary again to tell which.
      availability = undefined;
      const now = await probe();
      throw now.ok ? error : new BrowserUnavailableError(now.reason);
    });
    if (browser.connected) return browser;
    if (launched === pending) launched = undefined;
    return connectedBrowser();
  }

  async function acquire(): Promise<void> {
    if (closed) throw new BrowserPoolClosedError();
    if (active < maxPages) {
      active += 1;
      return;
    }
    // The releasing call hands its slot over directly, so `active` stays counted.
    await new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
  }

  function release(): void {
    const next = waiters.shift();
    if (next) next.resolve();
    else active -= 1;
  }

  return {
    async withPage(fn) {
      await acquire();
      try {
        const context = await (await connectedBrowser()).createBrowserContext();
        try {
          return await fn(await context.newPage());
        } finally {
          await context.close().catch(() => undefined);
        }
      } finally {
        release();
      }
    },

    probe,

    async close() {
      closed = true;
      for (const waiter of waiters.splice(0)) waiter.reject(new BrowserPoolClosedError());
      const open = await launched?.catch(() => undefined);
      launched = undefined;
      if (!open) return;
      await open.browser.close().catch(() => undefined);
      await removeProfile(open.userDataDir);
    },
  };
}
