import type { Knex } from 'knex';

/**
 * An inbound event is claimed as `processing` (with when) while it is applied, instead of being stored as
 * `ignored` up front. A process killed between claim and settle used to leave a row that answered every
 * redelivery "duplicate, ignored", so the event was lost; a `processing` claim older than its lease can be taken
 * over by the redelivery instead. Rows already settled keep their outcome and need no claimed_at.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    ALTER TABLE retailer_webhook_events ADD COLUMN claimed_at timestamptz;
    ALTER TABLE retailer_webhook_events DROP CONSTRAINT retailer_webhook_events_outcome_check;
    ALTER TABLE retailer_webhook_events ADD CONSTRAINT retailer_webhook_events_outcome_check
      CHECK (outcome IN ('processing', 'applied', 'ignored'));
    ALTER TABLE retailer_webhook_events ADD CONSTRAINT retailer_webhook_events_claim_check
      CHECK (outcome <> 'processing' OR claimed_at IS NOT NULL);

    ALTER TABLE provider_webhook_events ADD COLUMN claimed_at timestamptz;
    ALTER TABLE provider_webhook_events DROP CONSTRAINT provider_webhook_events_outcome_check;
    ALTER TABLE provider_webhook_events ADD CONSTRAINT provider_webhook_events_outcome_check
      CHECK (outcome IN ('processing', 'applied', 'ignored'));
    ALTER TABLE provider_webhook_events ADD CONSTRAINT provider_webhook_events_claim_check
      CHECK (outcome <> 'processing' OR claimed_at IS NOT NULL);
  `);
}

export async function down(knex: Knex): Promise<void> {
  // An unfinished claim is forgotten, as a failed apply forgets it: the sender's next delivery is processed.
  await knex.raw(`
    DELETE FROM retailer_webhook_events WHERE outcome = 'processing';
    ALTER TABLE retailer_webhook_events DROP CONSTRAINT retailer_webhook_events_claim_check;
    ALTER TABLE retailer_webhook_events DROP CONSTRAINT retailer_webhook_events_outcome_check;
    ALTER TABLE retailer_webhook_events ADD CONSTRAINT retailer_webhook_events_outcome_check CHECK (outcome IN ('applied', 'ignored'));
    ALTER TABLE retailer_webhook_events DROP COLUMN claimed_at;

    DELETE FROM provider_webhook_events WHERE outcome = 'processing';
    ALTER TABLE provider_webhook_events DROP CONSTRAINT provider_webhook_events_claim_check;
    ALTER TABLE provider_webhook_events DROP CONSTRAINT provider_webhook_events_outcome_check;
    ALTER TABLE provider_webhook_events ADD CONSTRAINT provider_webhook_events_outcome_check CHECK (outcome IN ('applied', 'ignored'));
    ALTER TABLE provider_webhook_events DROP COLUMN claimed_at;
  `);
}
