/**
 * Run as its own process by test/integration/demo-warnings.test.ts, which reads its stderr: Node prints
 * process warnings (MaxListenersExceededWarning among them) there, once per process, so a test inside the
 * shared vitest worker could not see them reliably. Prints `ok <calls>` and exits 0 when done.
 *
 * 1. 32 requests in flight at once under one parent signal (the demo runs up to 16 per limiter), then an
 *    abort of the parent reaches every one of them.
 * 2. A demo start with `devices` simulated devices, until every device has had a 200 from the demo API.
 */
import { startWarden } from '../../src/main/app';
import { withAbort } from '../../src/main/demo/token-client';

const SYSTEM = { actor: 'admin', role: 'owner' as const, adminId: null };
const devices = Number(process.argv[2] ?? '40');

async function concurrentRequests(): Promise<void> {
  const parent = new AbortController();
  const started: AbortSignal[] = [];
  let allStarted!: () => void;
  const ready = new Promise<void>((resolve) => (allStarted = resolve));
  const runs = Array.from({ length: 32 }, () =>
    withAbort(parent.signal, (signal) => {
      started.push(signal);
      if (started.length === 32) allStarted();
      return new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
    }),
  );
  await ready;
  parent.abort();
  const outcomes = await Promise.all(runs);
  if (!outcomes.every((outcome) => outcome === 'aborted')) throw new Error('an abort of the parent did not reach every request');
  // After the parent is aborted, a new request starts aborted.
  const late = await withAbort(parent.signal, async (signal) => signal.aborted);
  if (!late) throw new Error('a request under an aborted parent was not aborted');
}

async function demoStart(): Promise<number> {
  const warden = await startWarden({ dataDir: null, port: 0, host: '127.0.0.1', allowRemote: false, keyStore: 'memory', consoleDir: null, demo: true, demoClients: devices });
  try {
    const deadline = Date.now() + 90_000;
    for (;;) {
      const state = await warden.engine.admin.getDemoState({}, SYSTEM);
      if (state.devices.every((device) => device.lastStatus === 200)) return state.devices.reduce((sum, device) => sum + device.calls, 0);
      if (Date.now() > deadline) throw new Error('not every device reached the demo API');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await warden.close();
  }
}

await concurrentRequests();
const calls = await demoStart();
// Warnings are emitted on the next tick; let them reach stderr before the verdict is printed.
await new Promise((resolve) => setImmediate(resolve));
console.log(`ok ${calls}`);
