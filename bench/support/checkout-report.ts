import { availableParallelism } from 'node:os';
import type { RunResult } from './checkout-shoppers';
import { STEPS } from './checkout-shoppers';
import { cpuCeiling, describeCpu } from './cpu';
import { ms, perSecond, printTable, summarize } from './stats';

/** Throughput, CPU per checkout per process group, the CPU ceiling, latency per step and errors of a shopper run. */
export function reportRun(result: RunResult): void {
  const seconds = result.elapsedMs / 1000;
  console.log(`\nmeasured window: ${seconds.toFixed(1)} s (after ${result.settings.warmupS} s warm-up)`);
  console.log(
    `completed checkouts: ${result.completed}  →  ${perSecond(result.completed, result.elapsedMs).toFixed(1)} checkouts/s`,
  );
  console.log(
    `requests:            ${result.requests}  →  ${perSecond(result.requests, result.elapsedMs).toFixed(1)} requests/s`,
  );
  console.log(`CPU, % of one core and per checkout: ${describeCpu(result.cpu, result.elapsedMs, result.completed)}`);
  console.log(
    `CPU ceiling: ${cpuCeiling(result.cpu, result.completed, availableParallelism()).replace('unit', 'checkout')}\n`,
  );
  const rows: (string | number)[][] = [['step', 'requests', 'p50', 'p95', 'p99', 'max']];
  for (const step of STEPS) {
    const s = summarize(result.latencies[step]);
    rows.push([step, s.count, ms(s.p50), ms(s.p95), ms(s.p99), ms(s.max)]);
  }
  printTable(rows);
  console.log(result.errors.size === 0 ? '\nerrors: none' : '\nerrors (step status code: count):');
  for (const [key, count] of [...result.errors].sort()) console.log(`  ${key}: ${count}`);
}
