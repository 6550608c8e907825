import type { Knex } from 'knex';
import type { PlatformCheckoutJournal } from '../placement/connectors/platform-connector';

/**
 * `platform_checkouts`: the record a platform connector keeps of the retailer-side order it started for one of
 * ours. A write merges into the record in one statement, so two writes never lose each other's fields.
 */
export function createPlatformCheckoutJournal(db: Knex): PlatformCheckoutJournal {
  return {
    async read(orderNumber, platform) {
      const row = await db('platform_checkouts').where({ order_number: orderNumber, platform }).first('data');
      return row?.data ?? undefined;
    },

    async write(orderNumber, platform, data) {
      await db.raw(
        `INSERT INTO platform_checkouts (order_number, platform, data) VALUES (?, ?, ?::jsonb)
         ON CONFLICT (order_number, platform)
         DO UPDATE SET data = platform_checkouts.data || EXCLUDED.data, updated_at = now()`,
        [orderNumber, platform, JSON.stringify(data)],
      );
    },
  };
}
