/**
 * Polls `probe` (every 50 ms) until it returns something other than undefined or false, and returns that. Tests wait
 * for what a user would see, never for a fixed time; `what` names the condition when it is not met in `timeoutMs`.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined && result !== false) return result;
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
