import type { FaultScope, FaultSpec } from './types';

export type ProtocolRoute = 'create_order' | 'lookup_orders' | 'quote' | 'list_products';

interface PendingFault {
  spec: FaultSpec;
  remaining: number;
  /** Matching requests still to pass untouched before this fault starts. */
  skip: number;
}

/** Injected faults in the order they were asked for; each matching request takes one. */
export class FaultQueue {
  private pending: PendingFault[] = [];

  inject(spec: FaultSpec): void {
    this.pending.push({ spec, remaining: spec.count ?? 1, skip: spec.after ?? 0 });
  }

  clear(): void {
    this.pending = [];
  }

  /** How many requests will still be faulted. */
  size(): number {
    return this.pending.reduce((total, fault) => total + fault.remaining, 0);
  }

  /** The fault for this request, if one applies; taken when the request arrives, so concurrency keeps the order. */
  take(route: ProtocolRoute): FaultSpec | undefined {
    const index = this.pending.findIndex((fault) => appliesTo(fault.spec.scope ?? 'create_order', route));
    if (index < 0) return undefined;
    const fault = this.pending[index]!;
    if (fault.skip > 0) {
      fault.skip -= 1;
      return undefined;
    }
    fault.remaining -= 1;
    if (fault.remaining === 0) this.pending.splice(index, 1);
    return fault.spec;
  }
}

function appliesTo(scope: FaultScope, route: ProtocolRoute): boolean {
  return scope === 'any' || scope === route;
}
