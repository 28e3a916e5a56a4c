/**
 * Where the structured log goes by default: stdout, buffered per event-loop turn. Under load the service logs
 * one line per request; a synchronous write(2) per line cost about 4 µs of a refresh's main-thread time (and
 * the reader of the pipe a wake-up per line). Lines are collected instead and written together, synchronously,
 * at the start of the next turn (setImmediate) — or at once when a turn has collected BUFFER_LIMIT bytes — so:
 *
 * - a line reaches stdout within one turn, also when traffic is low (nothing waits for a buffer to fill);
 * - lines keep their order, whoever logged them: every logger on one descriptor shares one buffer;
 * - nothing is lost at exit: the 'exit' event (process.exit(), the drain after SIGTERM, a normal end, an
 *   uncaught exception) writes what is left synchronously, and a line logged after that is written at once.
 *   Only a kill that runs no JavaScript (SIGKILL, a signal without a handler) can cut the current turn's lines.
 *
 * A full pipe (EAGAIN) is waited out, as pino's synchronous destination does; a closed one (EPIPE) ends
 * logging rather than the process.
 */
import { writeSync } from 'node:fs';
import type { DestinationStream } from 'pino';

/** Past this many bytes in one turn the buffer is written at once (memory stays bounded under a burst). */
const BUFFER_LIMIT = 64 * 1024;
/** How long to wait before retrying a write to a full pipe. */
const EAGAIN_WAIT_MS = 5;

export class TurnBufferedDestination implements DestinationStream {
  private buffered = '';
  private scheduled = false;
  private exiting = false;
  private broken = false;
  private readonly flushSoon = () => {
    this.scheduled = false;
    this.flush();
  };

  /** @param fd an open descriptor (1: stdout) */
  constructor(private readonly fd: number) {
    process.once('exit', () => {
      this.exiting = true;
      this.flush();
    });
  }

  write(line: string): void {
    if (this.broken) return;
    this.buffered += line;
    if (this.exiting || this.buffered.length >= BUFFER_LIMIT) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      // unref: a pending flush never keeps the process alive; the 'exit' handler writes it.
      setImmediate(this.flushSoon).unref();
    }
  }

  /** Writes everything buffered now, synchronously (pino's `logger.flush()` calls it too). */
  flush(callback?: (error?: Error) => void): void {
    if (this.buffered === '') {
      callback?.();
      return;
    }
    let data = Buffer.from(this.buffered, 'utf8');
    this.buffered = '';
    try {
      while (data.length > 0 && !this.broken) {
        try {
          data = data.subarray(writeSync(this.fd, data));
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EAGAIN' || code === 'EBUSY') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, EAGAIN_WAIT_MS);
          else if (code === 'EPIPE') this.broken = true;
          else throw error;
        }
      }
    } catch (error) {
      if (!callback) throw error;
      callback(error as Error);
      return;
    }
    callback?.();
  }
}

const shared = new Map<number, TurnBufferedDestination>();

/** The one buffered destination of descriptor `fd` in this process (so that loggers sharing it stay in order). */
export function bufferedDestination(fd = 1): TurnBufferedDestination {
  let destination = shared.get(fd);
  if (!destination) {
    destination = new TurnBufferedDestination(fd);
    shared.set(fd, destination);
  }
  return destination;
}
