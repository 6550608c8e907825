import type { Knex } from 'knex';

/**
 * Every transition is history, including a re-entry into the same status (placing → placing when a store falls
 * back to another method or a price review hands the order to people). The first version recorded only changed
 * statuses, so the reason an order left its adapter for ops was lost. The trigger fires only for UPDATEs that set
 * `status`, which only the order state machine does.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION record_order_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO order_status_history (order_id, from_status, to_status, reason)
        VALUES (NEW.id, NULL, NEW.status, COALESCE(NEW.status_reason, 'order created'));
      ELSE
        INSERT INTO order_status_history (order_id, from_status, to_status, reason)
        VALUES (NEW.id, OLD.status, NEW.status, NEW.status_reason);
      END IF;
      RETURN NEW;
    END;
    $$;
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION record_order_status_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO order_status_history (order_id, from_status, to_status, reason)
        VALUES (NEW.id, NULL, NEW.status, COALESCE(NEW.status_reason, 'order created'));
      ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO order_status_history (order_id, from_status, to_status, reason)
        VALUES (NEW.id, OLD.status, NEW.status, NEW.status_reason);
      END IF;
      RETURN NEW;
    END;
    $$;
  `);
}
