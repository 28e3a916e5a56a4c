/**
 * `npm run serve -- [flags]` (flags: ./config, `--help`): the engine and the token service without Electron.
 *
 * Prints exactly `Token Warden listening on <URL>` once requests are accepted, then `Issuer: <issuer>` when
 * --issuer names another URL (a proxy in front), and a `Console:` line with a one-time login code when a
 * console directory is served. Besides these human lines, stdout carries the structured JSON log (./ops/logger,
 * `--log-level`), one object per line: the effective configuration first (secrets masked), then requests,
 * faults and the drain. SIGTERM drains within `--drain-timeout` (./ops/drain) and exits 0; SIGINT too.
 * A startup failure prints one line on stderr and exits 1.
 */
import { isWardenError } from '../shared/errors';
import { startWarden, type RunningWarden } from './app';
import { DEFAULT_DRAIN_TIMEOUT_S, resolveConfiguration, usage } from './config';
import { createLogger } from './ops/logger';

/** Past the drain's own bound, closing the engine and store gets this long before the process gives up. */
const CLOSE_GRACE_MS = 5_000;

function fail(error: unknown): never {
  const message = isWardenError(error) ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`token-warden: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const { config, effective } = resolveConfiguration(argv);
  const logger = createLogger({ level: config.logLevel ?? 'info' });
  // Printed whatever the level (an operator reading a start needs it), unless the log is silenced. A list of
  // {flag, value, from}: keyed by flag name, the log's own net would blank whole entries whose name says secret.
  const configuration = Object.entries(effective).map(([flag, entry]) => ({ flag, ...entry }));
  createLogger({ level: config.logLevel === 'silent' ? 'silent' : 'info' }).info({ configuration }, 'effective configuration');
  const warden: RunningWarden = await startWarden({ ...config, logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    const bound = (config.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_S * 1000) + CLOSE_GRACE_MS;
    setTimeout(() => {
      logger.error({ afterMs: bound }, 'the service did not close in time; exiting');
      process.exit(1);
    }, bound).unref();
    warden.close({ drain: true }).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => fail(error),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`Token Warden listening on ${warden.url}\n`);
  if (warden.issuer !== warden.url) process.stdout.write(`Issuer: ${warden.issuer}\n`);
  if (warden.consoleUrl) process.stdout.write(`Console: ${warden.consoleUrl}\n`);
}

main().catch(fail);
