/**
 * Runs `tick` now and then every `everyMs`, never two at once in this process (a slow pass makes the next tick
 * skip, not pile up). `stop` waits for a pass in flight, so shutdown never cuts one half-way.
 */
export function repeating(everyMs: number, tick: () => Promise<void>): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const start = () => {
    running ??= tick().finally(() => {
      running = null;
    });
  };
  const timer = setInterval(start, everyMs);
  timer.unref();
  start();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
