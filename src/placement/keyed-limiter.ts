/**
 * At most `limit` calls at once per key, the rest waiting in arrival order. Used for a store's headless
 * concurrency: a shop account whose cart lives on the shop's server can only check out one order at a time.
 * It limits one process; several worker processes each get the limit.
 */
export function createKeyedLimiter() {
  const slots = new Map<string, { active: number; waiting: (() => void)[] }>();

  async function acquire(key: string, limit: number): Promise<void> {
    const slot = slots.get(key) ?? { active: 0, waiting: [] };
    slots.set(key, slot);
    if (slot.active < limit) {
      slot.active += 1;
      return;
    }
    // The releasing call hands its place over directly, so `active` stays counted.
    await new Promise<void>((resolve) => slot.waiting.push(resolve));
  }

  function release(key: string): void {
    const slot = slots.get(key);
    if (!slot) return;
    const next = slot.waiting.shift();
    if (next) return next();
    slot.active -= 1;
    if (slot.active === 0) slots.delete(key);
  }

  return {
    async run<T>(key: string, limit: number, fn: () => Promise<T>): Promise<T> {
      if (!Number.isFinite(limit)) return fn();
      await acquire(key, limit);
      try {
        return await fn();
      } finally {
        release(key);
      }
    },
  };
}
