import type { CrashpointName } from '../services/service-deps';

/**
 * CHAOS_CRASH_AT=<crashpoint> makes the process kill itself (SIGKILL: no cleanup, no flushed buffers) the first
 * time it reaches that point, so tests can prove each saga step resumes after a real crash. Unset in production.
 */
export function chaosCrashpoint(target: string | undefined): (name: CrashpointName) => void {
  if (!target) return () => {};
  return (name) => {
    if (name === target) process.kill(process.pid, 'SIGKILL');
  };
}
