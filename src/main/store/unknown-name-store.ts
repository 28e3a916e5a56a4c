/**
 * Failed sign-ins on usernames that do not exist, for several instances on one database (PostgreSQL:
 * ./pg/pg-unknown-name-store.ts). The hosted sign-in page locks an unknown name after as many failures as a real
 * account, so that "locked" tells nothing about who exists (src/main/engine/sign-in.ts); counted per instance, an
 * unknown name would need N times the failures behind N instances and so stand out. SQLite keeps them in the
 * engine's memory.
 */
export interface UnknownNameState {
  failedLogins: number;
  lockedUntil: number | null;
}

export interface UnknownNameStore {
  get(name: string): Promise<UnknownNameState | undefined>;
  /** Records the name's state (inside the failure's transaction, under the name's attempt lock). */
  put(name: string, state: UnknownNameState, at: number): Promise<void>;
  /** Forgets names not failed since `before` whose lock (if any) has ended by then; returns how many. */
  purge(before: number): Promise<number>;
}
