import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { ConfigError, loadConfig } from '../config/app.config';
import { mikroOrmOptions } from '../config/mikro-orm.config';
import { ensureDatabase, runMigrations } from './database/migrations';

/** `npm run migration:up`: creates the database if needed and applies pending migrations. */
async function main(): Promise<void> {
  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const orm = await MikroORM.init(mikroOrmOptions(config.databaseUrl, 2));
  try {
    const applied = await runMigrations(orm);
    process.stdout.write(applied.length > 0 ? `migrated: ${applied.join(', ')}\n` : 'database is up to date\n');
  } finally {
    await orm.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(1);
});
