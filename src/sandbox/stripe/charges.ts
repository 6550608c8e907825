import type { SandboxState } from './sandbox-state';
import { resourceMissing } from './stripe-error';
import type { ChargeObject } from './types';

/** Charges are created by confirmation; the API only reads them (https://docs.stripe.com/api/charges). */
export function retrieveCharge(state: SandboxState, id: string): ChargeObject {
  const charge = state.charges.get(id);
  if (!charge) throw resourceMissing('charge', id);
  return charge;
}
