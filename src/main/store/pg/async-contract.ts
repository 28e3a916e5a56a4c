/**
 * The asynchronous storage boundary, written down before it lands (see /work/notes/s5/DESIGN.md, "The
 * asynchronous storage boundary"). Today's `Store` (../store.ts) is synchronous; PostgreSQL cannot answer
 * synchronously, so the PostgreSQL code (PgStore and its sub-stores) is written against `AsyncStore`: the same
 * methods, names, arguments and meaning, each returning a Promise.
 *
 * - `Async<T>` turns every method `(...a) => R` of T into `(...a) => Promise<Awaited<R>>` and keeps every other
 *   member (readonly properties) as it is. Use it for a sub-store: `class PgAdminStore implements Async<AdminStore>`.
 * - `AsyncStore` is `Async<Store>` with the members a mapped type cannot express (generic or special) overridden:
 *   `transaction<T>(fn: () => Promise<T>, options?)`, `iterateAudit` (an AsyncIterableIterator), `close()`
 *   (a Promise), `instanceId()` (stays synchronous: read at open), the new `ping()` (readiness), and every
 *   sub-store property typed as `Async<ThatSubStore>`.
 *
 * When the boundary becomes asynchronous in ../store.ts (engineer A's change), `Async<Store>` and `Store` name the
 * same thing: `implements AsyncStore` becomes `implements Store`, `Async<AdminStore>` becomes `AdminStore`, and
 * this file goes.
 */
import type { AuditEntry } from '../../../shared/dto';
import type { Store, TransactionOptions } from '../store';

// `any` is what makes the conditional match every function type (unknown[] params would reject some by variance).
/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyFunction = (...args: any[]) => any;

/** Each method's result wrapped in a Promise; non-method members unchanged. */
export type Async<T> = {
  // NonNullable: an optional method (`pendingCount?()`) is `F | undefined`; it stays optional, made asynchronous.
  [K in keyof T]: NonNullable<T[K]> extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The names of Store's sub-store properties (`admins`, `browserSessions`, …): the members that are not methods. */
export type SubStoreKey = { [K in keyof Store]: Store[K] extends AnyFunction ? never : K }[keyof Store];

/** Members whose asynchronous form is not the mechanical one. */
type Special = 'transaction' | 'iterateAudit' | 'close' | 'instanceId';

export type AsyncStore = Async<Omit<Store, SubStoreKey | Special>> & {
  readonly [K in SubStoreKey]: Async<Store[K]>;
} & {
  /**
   * Runs `fn` in one transaction. Nested calls (made while `fn`'s promise is pending, in its async context) join
   * it in a savepoint: a nested throw undoes only its own writes. A call made outside it never sees its
   * uncommitted writes (PostgreSQL: another pooled connection).
   */
  transaction<T>(fn: () => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** All entries in seq order, in keyset batches of `batchSize`, for chain verification. */
  iterateAudit(batchSize: number): AsyncIterableIterator<AuditEntry>;
  close(): Promise<void>;
  /** Resolves when the database answers (readiness, `/readyz`); rejects with a coded error when it does not. */
  ping(): Promise<void>;
  /** A stable random id for this deployment's data, read at open. */
  instanceId(): string;
};
