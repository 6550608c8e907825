import type { Redis } from 'ioredis';

/** Called with the script's keys first, then its arguments. */
export type RedisScript = (...keysThenArgs: Array<string | number>) => Promise<unknown>;

/**
 * Registers a Lua script on the client (ioredis sends EVALSHA and falls back to EVAL) and returns it as a plain
 * function. Redis runs a script atomically, which is what lets many worker processes share one limiter.
 */
export function defineRedisScript(redis: Redis, name: string, lua: string, numberOfKeys = 1): RedisScript {
  redis.defineCommand(name, { numberOfKeys, lua });
  const command = (redis as unknown as Record<string, RedisScript>)[name];
  return (...keysThenArgs) => command.call(redis, ...keysThenArgs);
}
