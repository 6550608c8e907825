export { startStripeSandbox, type StripeSandbox, type StripeSandboxOptions } from './start-stripe-sandbox';
export type { SandboxControls } from './control-routes';
export { TEST_PAYMENT_METHODS } from './test-payment-methods';
export type { FaultSpec, PaymentIntentObject, RefundObject, SandboxStats } from './types';
