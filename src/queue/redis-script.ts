import type { Redis } from 'ioredis';

export type RedisScript = (key: string, ...args: Array<string | number>) => Promise<unknown>;

/**
 * Registers a one-key Lua script on the client (ioredis sends EVALSHA and falls back to EVAL) and returns it as a
 * plain function. Redis runs a script atomically, which is what lets many worker processes share one limiter.
 */
export function defineRedisScript(redis: Redis, name: string, lua: string): RedisScript {
  redis.defineCommand(name, { numberOfKeys: 1, lua });
  const command = (redis as unknown as Record<string, RedisScript>)[name];
  return (key, ...args) => command.call(redis, key, ...args);
}
