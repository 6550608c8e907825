import type { Knex } from 'knex';
import type { Clock } from '../domain/clock';
import * as keys from '../repositories/idempotency-keys-repository';

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: unknown }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

/**
 * Request-level idempotency as the contract defines it: the same key and request get the first response
 * again; the same key with another request is refused; a key whose first request is still running answers
 * "in progress". A holder that died leaves a lock that expires, after which a retry takes the key over (the
 * use cases behind it are themselves resumable, so re-running them finishes the first request's work).
 */
export function createIdempotencyService({ db, clock }: { db: Knex; clock: Clock }, lockMs = 60_000) {
  return {
    async claim(scope: string, key: string, fingerprint: string): Promise<IdempotencyClaim> {
      const now = clock.now();
      const lockedUntil = new Date(now.getTime() + lockMs);
      const claim = await keys.claimKey(db, scope, key, fingerprint, lockedUntil);
      if (!claim) return this.claim(scope, key, fingerprint);
      if (claim.claimed) return { kind: 'claimed' };
      const existing = claim.record;
      if (existing.requestFingerprint !== fingerprint) return { kind: 'mismatch' };
      if (existing.status === 'completed')
        return { kind: 'replay', status: existing.responseStatus!, body: existing.responseBody };
      if (await keys.reclaimKey(db, scope, key, now, lockedUntil)) return { kind: 'claimed' };
      return { kind: 'in_progress' };
    },

    complete: (scope: string, key: string, status: number, body: unknown) =>
      keys.completeKey(db, scope, key, status, body),

    /** Forgets a key whose request failed on our side, so the client's retry runs it again. */
    release: (scope: string, key: string) => keys.releaseKey(db, scope, key),
  };
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>;
