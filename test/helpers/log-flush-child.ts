/**
 * A process that logs through the service's default log destination (stdout, buffered per turn) and then ends
 * in the way `argv[2]` names, in the same turn as its last line: how log-flush.test.ts checks that no line is
 * lost at exit. `argv[3]` lines are logged (numbered `n`), all in one turn.
 *
 * - natural: nothing left to do, the event loop ends;
 * - exit: process.exit(0) at once;
 * - fatal: a fatal event, then process.exit(1) at once;
 * - throw: an uncaught exception;
 * - sigterm: prints `ready` (a human line) a turn later and waits; on SIGTERM it logs `stopping` and exits 0,
 *   as headless.ts does after its drain.
 */
import { createLogger } from '../../src/main/ops/logger';

const mode = process.argv[2];
const count = Number(process.argv[3] ?? 100);
const logger = createLogger({ level: 'info' });
for (let n = 1; n <= count; n++) logger.info({ n, route: '/oauth/token', status: 200 }, 'request');

switch (mode) {
  case 'natural':
    break;
  case 'exit':
    process.exit(0);
    break;
  case 'fatal':
    logger.fatal({ n: count + 1 }, 'giving up');
    process.exit(1);
    break;
  case 'throw':
    throw new Error('an uncaught failure');
  case 'sigterm': {
    const idle = setInterval(() => {}, 1_000);
    process.once('SIGTERM', () => {
      clearInterval(idle);
      logger.info({ n: count + 1 }, 'stopping');
      process.exit(0);
    });
    setImmediate(() => process.stdout.write('ready\n'));
    break;
  }
  default:
    throw new Error(`unknown mode ${mode}`);
}
