import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';

/**
 * How many Chromium pages a headless worker keeps open at once. Memory, not CPU, is what a browser fleet runs
 * out of first (a page at a checkout holds tens of MiB and mostly waits on the network), so the count follows the
 * memory the browser may use: `pagesPerGib` (measured by `npm run bench:browser-memory`, see the README) times
 * the GiB left once the browser itself and the worker process are paid for. A fixed `maxPages` wins.
 */
export interface BrowserCapacitySettings {
  /** A fixed page count (BROWSER_MAX_PAGES); derived from memory when absent. */
  maxPages?: number;
  pagesPerGib: number;
  /** Memory the browser may use (BROWSER_MEMORY_MIB); absent, the machine's (or container's) less the reserve. */
  memoryMib?: number;
  /** What the worker process, the browser's own processes and the system keep (BROWSER_MEMORY_RESERVE_MIB). */
  reserveMib: number;
}

export interface BrowserCapacity {
  pages: number;
  /** Where the count came from, for the start-up log. */
  basis: 'fixed' | 'memory';
  budgetMib?: number;
}

/** Pages are never fewer than one (a headless worker must place something) nor more than this many. */
export const MAX_DERIVED_PAGES = 256;

export function browserPageCapacity(
  settings: BrowserCapacitySettings,
  machineMib: () => number = machineMemoryMib,
): BrowserCapacity {
  if (settings.maxPages !== undefined) return { pages: settings.maxPages, basis: 'fixed' };
  const budgetMib = settings.memoryMib ?? Math.max(0, machineMib() - settings.reserveMib);
  const pages = Math.floor((budgetMib / 1024) * settings.pagesPerGib);
  return { pages: Math.min(MAX_DERIVED_PAGES, Math.max(1, pages)), basis: 'memory', budgetMib };
}

/** The container's memory limit when it has one (cgroup v2, then v1), else the machine's. */
export function machineMemoryMib(): number {
  const machine = totalmem() / 1024 / 1024;
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const limit = Number(readFileSync(file, 'utf8').trim());
      // "max" (NaN) or v1's "no limit" (a number near 2^63) mean the machine's memory.
      if (Number.isFinite(limit) && limit > 0 && limit / 1024 / 1024 < machine) return Math.floor(limit / 1024 / 1024);
    } catch {
      // not in a cgroup of that version
    }
  }
  return Math.floor(machine);
}
