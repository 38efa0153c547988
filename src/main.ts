import 'reflect-metadata';
import { ConfigError, loadConfig } from '../config/app.config';
import { createApp } from './bootstrap';
import { AppError } from './common/app-error';

/** Entry point: serves the API on PORT (default 8000) and runs the roles named by ROLES (default all). */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen(config.port, config.host);
}

main().catch((err: unknown) => {
  const message =
    err instanceof ConfigError || err instanceof AppError ? `startup failed: ${err.message}` : `startup failed: ${(err as Error)?.stack ?? String(err)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
