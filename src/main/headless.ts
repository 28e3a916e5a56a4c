/**
 * `npm run serve -- [flags]` (flags: ./config, `--help`): the engine and the token service without Electron.
 *
 * Prints exactly `Token Warden listening on <URL>` once requests are accepted, then `Issuer: <issuer>` when
 * --issuer names another URL (a proxy in front), and a `Console:` line with a one-time login code when a
 * console directory is served. SIGTERM/SIGINT close cleanly (exit 0).
 * A startup failure prints one line on stderr and exits 1.
 */
import { isWardenError } from '../shared/errors';
import { startWarden, type RunningWarden } from './app';
import { parseWardenArgs, usage } from './config';

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
  const warden: RunningWarden = await startWarden(parseWardenArgs(argv));
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    warden.close().then(
      () => process.exit(0),
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
