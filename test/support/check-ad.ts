import { existsSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The independent delivery check (docs/design/composition.md, "Checking a result"), when this machine has it:
 * `CHECK_AD`, else a `shared/tools/check-ad` beside this clone (or beside its worktree folder). Tests that use
 * it skip that check without one; a clone on its own has only the project's own verification.
 */
export const CHECK_AD: string | undefined = [
  process.env.CHECK_AD,
  path.resolve(__dirname, '../../../shared/tools/check-ad'),
  path.resolve(__dirname, '../../../../shared/tools/check-ad'),
].find((p): p is string => Boolean(p && existsSync(p)));
