/**
 * WAL checkpoints on a background thread. SQLite's automatic checkpoint runs inside whichever COMMIT
 * crosses the threshold: it copies the log into the database file and fsyncs it — on the event loop,
 * in the middle of answering token requests (about a quarter of a refresh's cost, measured by
 * `npm run bench -- token`). Here a worker thread with its own connection runs PASSIVE checkpoints
 * every CHECKPOINT_INTERVAL_MS instead; PASSIVE never blocks the writer or readers. The writer keeps a
 * high automatic threshold as a safety net, so the log stays bounded even if the worker falls behind.
 *
 * PASSIVE alone cannot keep the log short under sustained writes: SQLite starts the log over only once a
 * checkpoint has caught up with the last commit, and a writer that commits every few milliseconds never
 * gives it that moment. The log then grew to the safety net and the writer checkpointed it on the event
 * loop after all, copying and fsyncing tens of megabytes mid-request (the token bench's worst batches).
 * So once the log holds RESTART_AT_FRAMES, the worker asks for a RESTART checkpoint: it waits (at most
 * RESTART_WAIT_MS) for a moment between the writer's transactions, copies the few frames PASSIVE had not,
 * and the writer's next transaction starts the log from the beginning. The writer waits for that moment
 * off the CPU, instead of doing the work itself.
 *
 * The worker is a plain synchronous loop (no event loop): it sleeps with Atomics.wait on a shared flag,
 * so `stop()` can end it synchronously — the store's close() is synchronous — and the worker's
 * connection is always closed before the writer's.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { describeSqliteFailure } from './sqlite-store';

export const CHECKPOINT_INTERVAL_MS = 250;
/** The pause between checkpoints while the writer is ahead. */
const CHASE_INTERVAL_MS = 2;
/** The writer's own automatic checkpoint, in pages, now only a safety net (SQLite's default is 1000). */
export const WRITER_AUTOCHECKPOINT_PAGES = 20_000;
/** A log this long (16 MiB at 4 KiB pages) is restarted by the worker, well before the safety net. */
export const RESTART_AT_FRAMES = 4_096;
/** How long a RESTART may wait for the writer (and hold it off); past that it acts as PASSIVE, and retries. */
const RESTART_WAIT_MS = 100;
const STOP_WAIT_MS = 5_000;

/** Runs in the worker, as CommonJS. Kept to SQLite calls; errors are reported, never thrown out. */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.modulePath);
const state = new Int32Array(workerData.state);
let db;
try {
  db = new Database(workerData.path, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
  db.pragma('busy_timeout = 0');
  db.pragma('synchronous = NORMAL');
  const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)');
  while (Atomics.load(state, 0) === 0) {
    let caughtUp = true;
    try {
      let result = checkpoint.get();
      if (result.log >= workerData.restartAtFrames) {
        db.pragma('busy_timeout = ' + workerData.restartWaitMs);
        try {
          result = restart.get();
        } finally {
          db.pragma('busy_timeout = 0');
        }
      }
      caughtUp = result.log === result.checkpointed;
    } catch (error) {
      // SQLITE_BUSY (another checkpoint is running): try again next round.
      if (!error || error.code !== 'SQLITE_BUSY') parentPort.postMessage({ error: String(error && error.message || error), code: error && error.code });
    }
    // Behind a busy writer: go again soon, so the log is caught up in a pause between commits and the
    // writer can start it over from the beginning (SQLite only rewinds a fully checkpointed log).
    Atomics.wait(state, 0, 0, caughtUp ? workerData.intervalMs : workerData.chaseMs);
  }
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message || error), code: error && error.code });
} finally {
  try { db && db.close(); } catch {}
  Atomics.store(state, 1, 1);
  Atomics.notify(state, 1);
}
`;

export interface Checkpointer {
  /** Ends the worker and waits (bounded) until its connection is closed. Idempotent. */
  stop(): void;
  /** The thread itself (tests end it behind the checkpointer's back to simulate a crash). */
  readonly thread: Worker;
}

export interface CheckpointerEvents {
  /** A checkpoint failed; the next round tries again. */
  onError(message: string): void;
  /** The thread is gone for good (it could not open the file, or died): the writer must checkpoint again. */
  onGone(): void;
}

/** Starts background checkpoints for the database file at `path`; `restartAtFrames` is for tests. */
export function startCheckpointer(path: string, nativeBinding: string | undefined, events: CheckpointerEvents, restartAtFrames = RESTART_AT_FRAMES): Checkpointer {
  const state = new Int32Array(new SharedArrayBuffer(8)); // [0] stop requested, [1] worker finished
  const modulePath = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { path, nativeBinding, modulePath, state: state.buffer, intervalMs: CHECKPOINT_INTERVAL_MS, chaseMs: CHASE_INTERVAL_MS, restartAtFrames, restartWaitMs: RESTART_WAIT_MS },
    // The worker only ever runs SQLite: no loaders (tsx) or flags of the parent process.
    execArgv: [],
  });
  let stopped = false;
  worker.on('message', (message: { error?: string; code?: unknown }) => {
    // The cause in words first (disk full, damage, permissions…), SQLite's own text after it.
    if (message.error) events.onError(typeof message.code === 'string' ? `${describeSqliteFailure(message.code)} (${message.error})` : message.error);
  });
  worker.on('error', (error) => events.onError(error.message));
  worker.on('exit', () => {
    // A worker that died before its own `finally` ran must not make stop() wait.
    Atomics.store(state, 1, 1);
    if (!stopped) events.onGone();
  });
  // Never keeps the process alive on its own.
  worker.unref();
  return {
    thread: worker,
    stop() {
      if (stopped) return;
      stopped = true;
      Atomics.store(state, 0, 1);
      Atomics.notify(state, 0);
      Atomics.wait(state, 1, 0, STOP_WAIT_MS);
      void worker.terminate();
    },
  };
}
