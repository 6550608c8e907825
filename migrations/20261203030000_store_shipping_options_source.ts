import type { Knex } from 'knex';

/**
 * Where a store's shipping options come from. `store`: the options admins configured (or the flat rule).
 * `retailer`: asked of the retailer (its connector's quote) for each checkout once the address is known; the
 * configured options, then the flat rule, stand in when the retailer does not answer in time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE stores
      ADD COLUMN shipping_options_source text NOT NULL DEFAULT 'store'
        CHECK (shipping_options_source IN ('store', 'retailer'))
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE stores DROP COLUMN shipping_options_source');
}
