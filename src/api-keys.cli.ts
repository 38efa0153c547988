import 'reflect-metadata';
import { MikroORM } from '@mikro-orm/postgresql';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/app.config';
import { mikroOrmOptions } from '../config/mikro-orm.config';
import { ApiKeysService } from './access/api-keys.service';
import { ensureDatabase, runMigrations } from './database/migrations';

const USAGE = `usage: npm run api-keys -- create --client CLIENT_ID [--user USER_ID] [--role user|admin]
       npm run api-keys -- revoke KEY_ID
Creates or revokes an API key in the database of DATABASE_URL. The key is printed once: only its prefix
and a salted hash are stored (docs/security.md).`;

/** `npm run api-keys`: API keys from the command line (the same service as the admin endpoints). */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { client: { type: 'string' }, user: { type: 'string' }, role: { type: 'string', default: 'user' }, help: { type: 'boolean' } },
  });
  const [command, arg] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const owner = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,99}$/;
  if (command === 'create' && (!values.client || !owner.test(values.client))) throw new Error(`--client: 1-100 letters, digits or . _ @ : -\n${USAGE}`);
  if (command === 'create' && values.user !== undefined && !owner.test(values.user)) throw new Error('--user: 1-100 letters, digits or . _ @ : -');
  if (command === 'create' && values.role !== 'user' && values.role !== 'admin') throw new Error('--role: user or admin');
  if (command === 'revoke' && !/^[0-9a-f-]{36}$/i.test(arg ?? '')) throw new Error(`revoke needs a key id (UUID)\n${USAGE}`);
  if (command !== 'create' && command !== 'revoke') throw new Error(USAGE);

  const config = loadConfig();
  await ensureDatabase(config.databaseUrl);
  const orm = await MikroORM.init(mikroOrmOptions(config.databaseUrl, 2));
  try {
    await runMigrations(orm);
    const keys = new ApiKeysService(orm, config);
    const out =
      command === 'create'
        ? await keys.create({ clientId: values.client!, userId: values.user ?? null, role: values.role as 'user' | 'admin' })
        : await keys.revoke(arg);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await orm.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
  process.exit(1);
});
