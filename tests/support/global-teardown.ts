const STOPS = Symbol.for('mor.testPlatforms.stops');

/** Stops what the global setup launched. */
export default async function globalTeardown(): Promise<void> {
  const stops = ((globalThis as Record<symbol, unknown>)[STOPS] ?? []) as (() => Promise<void>)[];
  await Promise.all(stops.map((stop) => stop()));
}
