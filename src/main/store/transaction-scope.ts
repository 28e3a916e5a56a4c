/**
 * Which transaction an asynchronous call belongs to, for a store on ONE connection (SQLite). The open
 * transaction and each savepoint nested in it are frames; `AsyncLocalStorage` carries the frame a call was
 * made in through every await of the transaction's work (~0.1 µs per promise on Node 20).
 *
 * The isolation rule (docs/storage.md): a call may use the connection only when it belongs to the innermost
 * open frame. Any other call — another request's continuation, a timer, the work of a sibling savepoint —
 * waits until that frame ends, so it never sees (or joins) writes that are not its own and may still roll
 * back. The check and the statement run in the same synchronous step (see `whenFree`'s callers), so nothing
 * can open a transaction in between.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Frame {
  readonly parent: Frame | undefined;
  /** 0 for the outermost transaction, 1 for a savepoint in it, … (savepoint names are by depth). */
  readonly depth: number;
  open: boolean;
  /** Settles once the frame has committed, been released or rolled back. */
  readonly done: Promise<void>;
  end(): void;
}

export class TransactionScope {
  private readonly als = new AsyncLocalStorage<Frame>();
  /** The innermost open frame; undefined when no transaction is open. */
  private innermost: Frame | undefined;

  get active(): Frame | undefined {
    return this.innermost;
  }

  /** The frame that makes the current call wait, or undefined when it may use the connection now. */
  blocking(): Frame | undefined {
    const active = this.innermost;
    if (active === undefined) return undefined;
    let frame = this.als.getStore();
    // A frame that has ended (a callback kept from inside a finished savepoint) acts as its nearest open parent.
    while (frame !== undefined && !frame.open) frame = frame.parent;
    return frame === active ? undefined : active;
  }

  /**
   * Waits until the current call may use the connection. Returns synchronously (undefined) on the common path;
   * a caller that awaited the returned promise must call it again before running its statement, since other
   * waiters woke at the same moment.
   */
  whenFree(): Promise<void> | undefined {
    return this.blocking()?.done;
  }

  /** Opens a frame inside `parent` (undefined: a new outermost transaction) and makes it the innermost. */
  enter(parent: Frame | undefined): Frame {
    let end!: () => void;
    const done = new Promise<void>((resolve) => (end = resolve));
    const frame: Frame = { parent, depth: parent === undefined ? 0 : parent.depth + 1, open: true, done, end };
    this.innermost = frame;
    return frame;
  }

  /** Ends the innermost frame: its parent is innermost again, and whoever waited on it re-checks. */
  leave(frame: Frame): void {
    frame.open = false;
    this.innermost = frame.parent;
    frame.end();
  }

  /** Runs `fn` with `frame` as the current frame of every call it makes, across its awaits. */
  runIn<T>(frame: Frame, fn: () => Promise<T>): Promise<T> {
    return this.als.run(frame, fn);
  }
}
