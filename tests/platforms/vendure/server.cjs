// A real Vendure (@vendure/core, sql.js in memory) for the tests: populated at start, then serving the Shop API and
// the Admin API on 127.0.0.1:PORT until it is sent SIGTERM. Prints one line `VENDURE_READY <port>` when it serves.
// Run by start.ts in its own process, so the tests' processes never load Vendure.
'use strict';
require('reflect-metadata');
const path = require('node:path');
const { bootstrap, DefaultOrderByCodeAccessStrategy, LanguageCode, PaymentMethodHandler } = require('@vendure/core');
const { populate } = require('@vendure/core/cli');

const port = Number(process.env.PORT || 3070);

/** "Buying on account": the retailer trusts its merchant customer and invoices it later, so the payment is settled at once. */
const onAccountHandler = new PaymentMethodHandler({
  code: 'on-account',
  description: [{ languageCode: LanguageCode.en, value: 'On account (invoiced monthly)' }],
  args: {},
  createPayment: async (_ctx, order, amount, _args, metadata) => {
    return { amount, state: 'Settled', transactionId: `acct-${order.code}`, metadata: { reference: metadata && metadata.reference } };
  },
  settlePayment: async () => ({ success: true }),
});

const config = {
  apiOptions: { port, hostname: '127.0.0.1', adminApiPath: 'admin-api', shopApiPath: 'shop-api' },
  authOptions: {
    tokenMethod: ['bearer', 'cookie'],
    superadminCredentials: { identifier: process.env.VENDURE_ADMIN_USER || 'superadmin', password: process.env.VENDURE_ADMIN_PASSWORD || 'superadmin' },
    cookieOptions: { secret: 'vendure-test-cookie-secret' },
  },
  dbConnectionOptions: { type: 'sqljs', synchronize: true, logging: false },
  paymentOptions: { paymentMethodHandlers: [onAccountHandler] },
  // Where a client can leave its own reference on an order; the Admin API can filter on it.
  customFields: { Order: [{ name: 'clientRef', type: 'string', public: true, nullable: true }] },
  orderOptions: { orderByCodeAccessStrategy: new DefaultOrderByCodeAccessStrategy('30d') },
  logger: undefined,
  plugins: [],
};

async function main() {
  const app = await populate(() => bootstrap(config), path.join(__dirname, 'initial-data.json'), path.join(__dirname, 'products.csv'));
  process.stdout.write(`VENDURE_READY ${port}\n`);
  const stop = () => app.close().then(() => process.exit(0), () => process.exit(1));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
