import type { Clock } from '../../src/domain/clock';

/** A clock tests move by hand, for expiry and lease checks without sleeping. */
export class ManualClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
