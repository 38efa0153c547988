import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The package version, read once from package.json (works from src/ and dist/src/). */
export const SERVICE_VERSION: string = (() => {
  for (const up of ['../..', '../../..']) {
    try {
      return (JSON.parse(readFileSync(path.join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      /* try the next level */
    }
  }
  return '0.0.0';
})();
