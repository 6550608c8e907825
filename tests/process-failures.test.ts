import { spawn } from 'node:child_process';
import path from 'node:path';

/** Runs tests/fixtures/crashing-process.ts through tsx; resolves with its exit code and its stdout lines. */
function runCrashingProcess(crash: 'rejection' | 'exception'): Promise<{ code: number | null; lines: string[] }> {
  const fixture = path.join(__dirname, 'fixtures', 'crashing-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, CRASH: crash },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines: stdout.split('\n').filter(Boolean) }));
  });
}

describe('a process that crashes', () => {
  it('when a promise rejection is left unhandled, then the logger records it as one JSON line and the process exits 1', async () => {
    const { code, lines } = await runCrashingProcess('rejection');
    expect(code).toBe(1);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 60,
        service: 'mor-checkout',
        origin: 'unhandledRejection',
        msg: 'unhandled promise rejection; exiting',
        err: expect.objectContaining({ type: 'Error', message: 'the retailer closed the socket' }),
      }),
    ]);
  });

  it('when a callback throws, then the logger records it as one JSON line and the process exits 1', async () => {
    const { code, lines } = await runCrashingProcess('exception');
    expect(code).toBe(1);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 60,
        service: 'mor-checkout',
        origin: 'uncaughtException',
        msg: 'uncaught exception; exiting',
        err: expect.objectContaining({ type: 'Error', message: 'a callback threw' }),
      }),
    ]);
  });
});
