/**
 * Setup file of the `engine-postgres` project (vitest.config.ts): the engine's suites again, on PgStore. A run
 * without PostgreSQL skips every case of this pass, with the reason printed once per file and in each skip.
 */
import { beforeEach } from 'vitest';
import { clusterSkip } from '../../helpers/postgres';

const reason = clusterSkip();
if (reason) {
  console.warn(`[postgres] the engine suites' PostgreSQL pass skips: ${reason}`);
  beforeEach((context) => context.skip(`no PostgreSQL: ${reason}`));
}
