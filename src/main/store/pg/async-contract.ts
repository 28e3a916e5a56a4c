/**
 * (History) The asynchronous storage boundary, written down before it landed (see /work/notes/s5/DESIGN.md, "The
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
import type { Store } from '../store';

/**
 * The boundary is asynchronous now (../store.ts, docs/storage.md): `Store` and every sub-store interface already
 * return promises, so both names are plain aliases kept for the code written against them before the change.
 * New code names `Store` and the sub-store interfaces directly.
 */
export type Async<T> = T;
export type AsyncStore = Store;
/** The names of Store's sub-store properties (`admins`, `browserSessions`, …): the members that are not methods. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SubStoreKey = { [K in keyof Store]: Store[K] extends (...args: any[]) => any ? never : K }[keyof Store];
