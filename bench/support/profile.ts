import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { option } from './options';
import { statementStats } from './pg-statements';

/**
 * `--profile` on a benchmark: where each millisecond of one process's CPU goes, by owner. Linux `perf` samples the
 * process on CPU (499 Hz, with call stacks) during the measured window; node runs with --perf-basic-prof so its
 * JIT frames have names. Each sample is charged to the first JavaScript frame from the leaf up that belongs to a
 * package or to src/ (so a socket write is charged to pg when pg wrote it); samples of V8's garbage collector and
 * optimizing compiler, and of node with no JavaScript on the stack, are runtime. Shares × the process's measured
 * CPU per unit give milliseconds per unit. Needs `perf` (Debian: linux-perf) and permission to trace the process.
 */

/** Node flags that make the process's JIT frames readable to perf. */
export const PROFILE_NODE_ARGS = ['--perf-basic-prof'];

export const profileRequested = () => option('profile', 'off') !== 'off' || process.argv.includes('--profile');

/** Who ships the code: what the issue calls the mandated stack, libraries we chose, our own code, the runtime. */
const MANDATED = new Set([
  'express',
  'router',
  'body-parser',
  'raw-body',
  'iconv-lite',
  'type-is',
  'content-type',
  'finalhandler',
  'send',
  'parseurl',
  'path-to-regexp',
  'on-finished',
  'pg',
  'pg-protocol',
  'pg-pool',
  'pg-types',
  'postgres-date',
  'postgres-array',
  'postgres-interval',
  'postgres-bytea',
  'knex',
  'tarn',
  'stripe',
  'qs',
  'bullmq',
  'ioredis',
  'msgpackr',
  'nanoid',
  'jsonwebtoken',
  'jws',
  'jwa',
  'lodash',
]);

export function ownerGroup(owner: string): string {
  if (owner.startsWith('src/') || owner.startsWith('bench/')) return 'service code';
  if (owner.startsWith('runtime:') || owner.startsWith('node:')) return 'node and V8 (HTTP server, streams, GC, JIT)';
  return MANDATED.has(owner) ? 'mandated stack (express, pg, knex, stripe, bullmq, ioredis, JWT)' : 'added libraries';
}

/** The owner of one sample's stack (leaf first). */
export function ownerOf(frames: string[]): string {
  if (frames.some((f) => /Scaveng|MarkCompact|ConcurrentMarking|Sweeper|Heap::Collect|MinorMark/.test(f)))
    return 'runtime: garbage collector';
  if (frames.some((f) => /OptimizingCompileDispatcher|Maglev|compiler::Pipeline/.test(f)))
    return 'runtime: optimizing compiler';
  let nodeInternal: string | undefined;
  for (const frame of frames) {
    const js = /JS:\S*\s+(\S+)/.exec(frame);
    if (!js) continue;
    const path = js[1]!;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    if (pkg) return pkg[1]!;
    const own = /\/((?:src|bench)\/[^:]+)/.exec(path);
    if (own) return own[1]!;
    nodeInternal ??= /node:(?:internal\/)?([^:/]+)/.exec(path)?.[1];
  }
  if (nodeInternal) return `node:${nodeInternal}`;
  return frames.some((f) => f.includes('uv__io_poll')) ? 'runtime: event loop, no JavaScript' : 'runtime: other native';
}

export interface Profile {
  samples: number;
  /** Share of samples (0–1) by owner. */
  owners: Map<string, number>;
  /** Share of samples in the kernel (system calls: sockets, mostly). */
  kernel: number;
}

/** Parses `perf script -F ip,sym,dso` output: samples separated by blank lines, one frame per indented line. */
export function parsePerfScript(text: string): Profile {
  const counts = new Map<string, number>();
  let samples = 0;
  let kernel = 0;
  for (const block of text.split(/\n\s*\n/)) {
    const frames = block
      .split('\n')
      .filter((line) => /^\s/.test(line))
      .map((line) => line.trim());
    if (frames.length === 0) continue;
    samples++;
    if (frames[0]!.includes('[kernel.kallsyms]')) kernel++;
    const owner = ownerOf(frames);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  const owners = new Map([...counts].map(([owner, count]) => [owner, count / Math.max(1, samples)]));
  return { samples, owners, kernel: kernel / Math.max(1, samples) };
}

export interface Profiler {
  /** Stops sampling and reads the profile; null when perf could not run. */
  stop(): Promise<Profile | null>;
}

/** Starts sampling `pid` now. Null (with a note) when perf is missing. */
export function startProfiler(pid: number, label: string): Profiler | null {
  if (spawnSync('perf', ['--version']).status !== 0) {
    console.log(`profile: perf is not installed (Debian: apt-get install linux-perf); ${label} not profiled`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
  const data = join(dir, 'perf.data');
  const perf: ChildProcess = spawn('perf', ['record', '-g', '-F', '499', '-p', String(pid), '-o', data], {
    stdio: 'ignore',
  });
  const jitMap = `/tmp/perf-${pid}.map`;
  return {
    async stop() {
      // Keep the JIT symbol map: the process may exit (and some clean-ups remove it) before perf script reads it.
      if (existsSync(jitMap)) copyFileSync(jitMap, join(dir, 'jit.map'));
      perf.kill('SIGINT');
      await new Promise((resolve) => perf.once('exit', resolve));
      try {
        if (!existsSync(jitMap) && existsSync(join(dir, 'jit.map'))) copyFileSync(join(dir, 'jit.map'), jitMap);
        const script = spawnSync('perf', ['script', '-i', data, '-F', 'ip,sym,dso'], {
          encoding: 'utf8',
          maxBuffer: 1 << 30,
        });
        if (script.status !== 0) {
          console.log(`profile: perf script failed: ${script.stderr.slice(0, 300)}`);
          return null;
        }
        return parsePerfScript(script.stdout);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The profile as milliseconds per unit: by group, then the owners above 1 % of the samples. */
export function printProfile(label: string, profile: Profile, cpuMsPerUnit: number, unit: string): void {
  const msOf = (share: number) => `${(share * cpuMsPerUnit).toFixed(2)} ms`;
  const pct = (share: number) => `${(100 * share).toFixed(1)} %`;
  console.log(
    `\nprofile of ${label}: ${profile.samples} samples on CPU, ${cpuMsPerUnit.toFixed(2)} ms of CPU per ${unit}; ` +
      `${pct(profile.kernel)} of it in the kernel (charged below to whoever made the system call)`,
  );
  const groups = new Map<string, number>();
  for (const [owner, share] of profile.owners)
    groups.set(ownerGroup(owner), (groups.get(ownerGroup(owner)) ?? 0) + share);
  for (const [group, share] of [...groups].sort((a, b) => b[1] - a[1]))
    console.log(`  ${msOf(share).padStart(9)}  ${pct(share).padStart(6)}  ${group}`);
  console.log(`  by owner (≥ 0.5 %):`);
  for (const [owner, share] of [...profile.owners].sort((a, b) => b[1] - a[1]).filter(([, s]) => s >= 0.005))
    console.log(`  ${msOf(share).padStart(9)}  ${pct(share).padStart(6)}  ${owner}`);
}

/**
 * The `--profile` wiring of one benchmark: `start()` at the beginning of the measured window (perf on the process,
 * pg_stat_statements reset), `finish()` after it (both printed, per unit). Does nothing without --profile.
 */
export async function measuredProfile(
  enabled: boolean,
  options: { label: string; unit: string; pid: () => number; database: { url: string; name: string } | null },
) {
  if (!enabled) return null;
  const statements = options.database ? await statementStats(options.database.url, options.database.name) : null;
  let profiler: Profiler | null = null;
  let started: Promise<void> = Promise.resolve();
  return {
    start() {
      profiler = startProfiler(options.pid(), options.label);
      started = statements?.reset() ?? Promise.resolve();
    },
    /** `processCpuMs`: the profiled process's CPU in the window; `units`: the work done in it. */
    async finish(processCpuMs: number | undefined, units: number) {
      await started;
      const profile = await profiler?.stop();
      if (profile && processCpuMs !== undefined)
        printProfile(options.label, profile, processCpuMs / Math.max(1, units), options.unit);
      await statements?.print(units, options.unit);
      await statements?.close();
    },
  };
}
