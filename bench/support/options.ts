/**
 * A benchmark setting from `--name=value` or `--name value` on the command line or `BENCH_NAME` in the environment
 * (in that order), else the default. `npm run bench:checkout -- --concurrency=32`, `… -- --concurrency 32` and
 * `BENCH_CONCURRENCY=32 npm run bench:checkout` say the same thing.
 */
export function option(name: string, fallback: string): string {
  const flag = process.argv.find((arg) => arg.startsWith(`--${name}=`));
  if (flag) return flag.slice(name.length + 3);
  const at = process.argv.indexOf(`--${name}`);
  const next = at === -1 ? undefined : process.argv[at + 1];
  if (next !== undefined && !next.startsWith('--')) return next;
  return process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] || fallback;
}

export function intOption(name: string, fallback: number): number {
  const raw = option(name, String(fallback));
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return value;
}

export function intListOption(name: string, fallback: number[]): number[] {
  const raw = option(name, fallback.join(','));
  const values = raw.split(',').map(Number);
  if (values.some((value) => !Number.isInteger(value) || value < 1)) {
    throw new Error(`--${name} must be a comma-separated list of positive integers, got ${JSON.stringify(raw)}`);
  }
  return values;
}
