/**
 * `npm run serve -- [--data-dir DIR] [--port N] [--host H --allow-remote] [--key-store keychain|memory]
 * [--console-dir DIR] [--demo]`: the engine and the token service without Electron.
 *
 * Prints exactly `Token Warden listening on <base URL>` once requests are accepted (and a `Console:` line
 * with a one-time login code when a console directory is served). SIGTERM/SIGINT close cleanly (exit 0).
 * A startup failure prints one line on stderr and exits 1.
 */
import { isWardenError } from '../shared/errors';
import { parseWardenArgs, startWarden, type RunningWarden } from './app';

const USAGE = `Usage: npm run serve -- [options]
  --data-dir DIR        data directory (default: $XDG_DATA_HOME/token-warden); holds warden.db and admin-token
  --port N              port on 127.0.0.1 (default 0: a free port)
  --host H              bind address; anything but loopback also needs --allow-remote
  --allow-remote        allow a non-loopback --host
  --key-store KIND      keychain (default) or memory (ephemeral keys: tokens die with the process)
  --console-dir DIR     serve the built admin console from DIR and print its login URL
  --demo                throwaway data directory and memory key store, seeded users, simulated devices and a demo API
  --demo-clients N      simulated devices in demo mode (1-500, default 12)`;

function fail(error: unknown): never {
  const message = isWardenError(error) ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`token-warden: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
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
  process.stdout.write(`Token Warden listening on ${warden.issuer}\n`);
  if (warden.consoleUrl) process.stdout.write(`Console: ${warden.consoleUrl}\n`);
}

main().catch(fail);
