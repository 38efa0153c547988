import { defineConfig, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { Job, JobTransition } from '../src/jobs/job.entity';
import { OutboxMessage } from '../src/messaging/outbox.entity';
import { StageAttempt } from '../src/stages/stage-attempt.entity';
import { Migration20261122000000_initial } from '../migrations/Migration20261122000000_initial';
import { Migration20261122020000_stage_attempt_carry } from '../migrations/Migration20261122020000_stage_attempt_carry';
import { Migration20261122030000_outbox_seq } from '../migrations/Migration20261122030000_outbox_seq';
import { Migration20261202010000_storyboard } from '../migrations/Migration20261202010000_storyboard';
import { Migration20261202040000_push } from '../migrations/Migration20261202040000_push';
import { Migration20261202015000_stage_cache } from '../migrations/Migration20261202015000_stage_cache';
import { Migration20261202030000_access } from '../migrations/Migration20261202030000_access';
import { Migration20261202050000_assets } from '../migrations/Migration20261202050000_assets';
import { Migration20261202053000_batch } from '../migrations/Migration20261202053000_batch';
import { Migration20261202060000_variation_cuts } from '../migrations/Migration20261202060000_variation_cuts';
import { Migration20261203070000_rollup_zero_delta } from '../migrations/Migration20261203070000_rollup_zero_delta';

/** Every entity, listed once for the app, the migrator and tests. */
export const ENTITIES = [Job, JobTransition, OutboxMessage, StageAttempt];

/**
 * MikroORM options shared by the app, the migration command and tests. Migrations are listed explicitly
 * (not globbed) so they run the same from `src/` under ts-jest and from `dist/` in production.
 * @param databaseUrl `postgresql://user@host:port/db`
 */
export function mikroOrmOptions(databaseUrl: string, poolMax = 10): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: poolMax },
    debug: false,
    migrations: {
      tableName: 'mikro_orm_migrations',
      silent: true,
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      migrationsList: [
        { name: 'Migration20261122000000_initial', class: Migration20261122000000_initial },
        { name: 'Migration20261122020000_stage_attempt_carry', class: Migration20261122020000_stage_attempt_carry },
        { name: 'Migration20261122030000_outbox_seq', class: Migration20261122030000_outbox_seq },
        { name: 'Migration20261202010000_storyboard', class: Migration20261202010000_storyboard },
        { name: 'Migration20261202040000_push', class: Migration20261202040000_push },
        { name: 'Migration20261202015000_stage_cache', class: Migration20261202015000_stage_cache },
        { name: 'Migration20261202030000_access', class: Migration20261202030000_access },
        { name: 'Migration20261202050000_assets', class: Migration20261202050000_assets },
        { name: 'Migration20261202053000_batch', class: Migration20261202053000_batch },
        { name: 'Migration20261202060000_variation_cuts', class: Migration20261202060000_variation_cuts },
        { name: 'Migration20261203070000_rollup_zero_delta', class: Migration20261203070000_rollup_zero_delta },
      ],
    },
  });
}
