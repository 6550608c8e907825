export type Defer = (what: string, undo: () => Promise<unknown>) => void;

/**
 * Runs a benchmark with a teardown stack: everything it starts or creates registers its undo with `defer`, and the
 * undos run in reverse order whether the benchmark finished, threw, or was interrupted (Ctrl-C). Exits 1 on
 * failure, 130 on interruption.
 */
export function runBenchmark(main: (defer: Defer) => Promise<void>): void {
  const undos: { what: string; undo: () => Promise<unknown> }[] = [];
  let tearingDown: Promise<void> | null = null;
  const teardown = () =>
    (tearingDown ??= (async () => {
      for (const { what, undo } of undos.reverse()) {
        try {
          await undo();
        } catch (error) {
          console.error(`cleanup: could not ${what}:`, error);
        }
      }
    })());

  let interrupted = false;
  const interrupt = (signal: string) => {
    interrupted = true;
    console.error(`\n${signal}: cleaning up`);
    void teardown().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  main((what, undo) => undos.push({ what, undo }))
    .then(
      () => 0,
      (error: unknown) => {
        // After Ctrl-C the benchmark fails because its children are being stopped; that is no news.
        if (!interrupted) console.error(error instanceof Error ? error.message : error);
        return interrupted ? 130 : 1;
      },
    )
    .then(async (code) => {
      await teardown();
      process.exit(code);
    });
}

/**
 * A teardown stack for one phase of a benchmark (e.g. one run of several): `close()` undoes it at the end of the
 * phase; if the benchmark fails or is interrupted first, the outer teardown does.
 */
export function teardownScope(outer: Defer): { defer: Defer; close(): Promise<void> } {
  const undos: { what: string; undo: () => Promise<unknown> }[] = [];
  const close = async () => {
    for (const { what, undo } of undos.splice(0).reverse()) {
      try {
        await undo();
      } catch (error) {
        console.error(`cleanup: could not ${what}:`, error);
      }
    }
  };
  outer('finish the current phase', close);
  return { defer: (what, undo) => undos.push({ what, undo }), close };
}
