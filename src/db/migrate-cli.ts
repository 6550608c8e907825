import { loadConfig } from '../config';
import { createDb, migrateLatest } from './knex';

/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    console.error('DATABASE_URL is not set (the embedded database migrates itself when `npm start` runs).');
    process.exit(2);
  }
  const db = createDb(config.DATABASE_URL, 1);
  try {
    const [batch, applied] = await migrateLatest(db);
    console.log(applied.length === 0 ? 'Already up to date.' : `Batch ${batch}: applied ${applied.join(', ')}`);
  } finally {
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
