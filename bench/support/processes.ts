import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Defer } from './run';

const ROOT = path.resolve(__dirname, '../..');
const TAIL_LINES = 40;

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  /** The last lines it wrote (stdout and stderr), for the report when something goes wrong. */
  tail(): string;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Runs a TypeScript entry point of this repository (e.g. `src/server.ts`) as a child Node process. */
export function startChild(name: string, script: string, env: Record<string, string>, nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - TAIL_LINES));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    name,
    process: child,
    tail: () => lines.map((line) => `  [${name}] ${line}`).join('\n'),
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 2xx; fails fast if the child exits first. A busy 2-core machine can take a minute to start one. */
export async function waitForHttp(child: Child, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null || child.process.signalCode !== null) {
      throw new Error(
        `${child.name} exited (${child.process.exitCode ?? child.process.signalCode}) before it was ready:\n${child.tail()}`,
      );
    }
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} was not ready at ${url} within ${timeoutMs} ms:\n${child.tail()}`);
}

/** A port that was free a moment ago, for a child that needs to be told where to listen. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The Stripe sandbox as a child process, stopped by `defer`; resolves once it answers. */
export async function startStripeSandboxChild(defer: Defer): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const child = startChild('stripe-sandbox', 'src/sandbox/stripe/cli.ts', {
    STRIPE_SANDBOX_PORT: String(port),
    LOG_LEVEL: 'warn',
  });
  defer('stop the Stripe sandbox', () => child.stop());
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(child, `${url}/_sandbox/stats`);
  return { child, url };
}
