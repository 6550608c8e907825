import { spawn } from 'node:child_process';
import { intOption } from './support/options';

/**
 * `npm run bench:checkout-ratio` / `npm run bench:placement-ratio`: the service against its floor, in the same run.
 * Runs the service's benchmark and its floor's one after the other, --runs times (2), each as its own process with
 * the flags given here, and prints every pair's ratio by rate and by CPU per unit (all processes of the run), then
 * the spread. The last line is the ratio by rate with its spread (issue #9's targets: ≥ 80 % for both).
 *
 *   checkout:  bench/checkout.ts  vs bench/floor.ts            (16 shoppers, 15 s warm-up, 20 s measured)
 *   placement: bench/placement.ts vs bench/placement-floor.ts  (1 worker, 1,000 warm-up orders, 5,000 measured)
 */
const PAIRS = {
  checkout: {
    service: 'bench/checkout.ts',
    floor: 'bench/floor.ts',
    args: [] as string[],
    unit: 'checkout',
    // "completed checkouts: 1745  →  86.7 checkouts/s" and "CPU ceiling: 19.0 ms of CPU per checkout → …"
    rate: /completed checkouts: \d+\s+→\s+([\d.]+) checkouts\/s/,
    cpu: /CPU ceiling: ([\d.]+) ms of CPU per checkout/,
  },
  placement: {
    service: 'bench/placement.ts',
    floor: 'bench/placement-floor.ts',
    args: ['--workers', '1'],
    unit: 'order',
    // "1 worker(s): 5000 placed in 21.4 s → 234 orders/s" and "ceiling: 7.0 ms of CPU per order → …"
    rate: /1 worker\(s\): \d+ \w+ in [\d.]+ s → ([\d.]+) orders\/s/,
    cpu: /ceiling: ([\d.]+) ms of CPU per order/,
  },
} as const;

const kind = process.argv[2] as keyof typeof PAIRS;
const pair = PAIRS[kind];
if (!pair) throw new Error(`usage: tsx bench/ratio.ts checkout|placement [flags for both benchmarks]`);
const runs = intOption('runs', 2);
const passThrough = process.argv.slice(3).filter((arg, i, all) => arg !== '--runs' && all[i - 1] !== '--runs');

interface Reading {
  rate: number;
  cpuMs: number;
  /** How busy the rest of the machine was (% of one core): a busy neighbour makes the pair's ratio meaningless. */
  neighbours: string;
}

/** Runs one benchmark as its own process, its output shown as it comes, and reads its rate and CPU per unit. */
function runOne(script: string): Promise<Reading> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...pair.args, ...passThrough], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const rate = pair.rate.exec(output)?.[1];
      const cpuMs = pair.cpu.exec(output)?.[1];
      if (code !== 0 || !rate || !cpuMs) return reject(new Error(`${script} failed (exit ${code})`));
      const neighbours = /other processes (\d+ %)/.exec(output)?.[1] ?? '?';
      resolve({ rate: Number(rate), cpuMs: Number(cpuMs), neighbours });
    });
  });
}

const percent = (value: number) => `${value.toFixed(1)} %`;
const spread = (values: number[]) =>
  values.length > 1 ? `spread ${(Math.max(...values) - Math.min(...values)).toFixed(1)} points` : 'one run';

async function main(): Promise<void> {
  const byRate: number[] = [];
  const byCpu: number[] = [];
  const lines: string[] = [];
  for (let run = 1; run <= runs; run++) {
    console.log(`\n=== run ${run}/${runs}: ${pair.service} ===`);
    const service = await runOne(pair.service);
    console.log(`\n=== run ${run}/${runs}: ${pair.floor} ===`);
    const floor = await runOne(pair.floor);
    byRate.push((100 * service.rate) / floor.rate);
    byCpu.push((100 * floor.cpuMs) / service.cpuMs);
    lines.push(
      `run ${run}: service ${service.rate}/s (${service.cpuMs} ms CPU per ${pair.unit}), floor ${floor.rate}/s ` +
        `(${floor.cpuMs} ms): by rate ${percent(byRate.at(-1)!)}, by CPU ${percent(byCpu.at(-1)!)}; other processes ` +
        `${service.neighbours} / ${floor.neighbours} of a core`,
    );
  }
  console.log(`\n${kind} against its floor, ${runs} run(s) in this process:`);
  for (const line of lines) console.log(`  ${line}`);
  console.log(`  by CPU per ${pair.unit}: ${byCpu.map(percent).join(', ')} (${spread(byCpu)})`);
  console.log(`${kind} ÷ floor by rate: ${byRate.map(percent).join(', ')} (${spread(byRate)}); target ≥ 80 %`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
