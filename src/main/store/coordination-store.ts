/**
 * What several instances on one database need to act as one service (issue 17) beyond rows: locks held to the
 * end of a transaction, "has this periodic job run lately, anywhere?", and attempts in flight counted across
 * instances (the login throttles). PostgreSQL: ./pg/pg-coordination-store.ts. SQLite serves one process (the
 * data directory's lock), whose transactions are already one at a time and whose memory already knows
 * everything: ./sqlite-coordination-store.ts has nothing to coordinate.
 */
import type { FeedPresenceStore } from './feed-presence-store';
import type { UnknownNameStore } from './unknown-name-store';

/**
 * Deployment-wide locks: `keys` serializes every signing-key change (plan, retirement, revocation), `settings`
 * every read-modify-write of the engine settings.
 */
export type CoordinationLock = 'keys' | 'settings';

/** Periodic jobs that run once per period for the whole deployment. */
export type CoordinatedJob = 'maintain' | 'tally-fold';

export interface CoordinationStore {
  /**
   * Inside a transaction: waits for, then holds until that transaction ends, the deployment-wide lock `name`.
   * Reads made after it see what the previous holder committed. SQLite: resolves at once.
   */
  lock(name: CoordinationLock): Promise<void>;
  /**
   * True when `job` has not run for at least `periodMs` (by the database's clock, one clock for every
   * instance) or never, and then records that it runs now; false when it ran more recently. Of instances
   * asking at once, one gets true. SQLite: always true (the process is the deployment).
   */
  claimRun(job: CoordinatedJob, periodMs: number): Promise<boolean>;
  /** Attempts in flight kept in the database, or undefined where the process is alone (SQLite: in memory). */
  readonly attemptLeases: AttemptLeaseStore | undefined;
  /** Failures on unknown usernames for the deployment (./unknown-name-store.ts), or undefined (SQLite: in memory). */
  readonly unknownNames: UnknownNameStore | undefined;
  /** Other instances' feed subscribers (./feed-presence-store.ts), or undefined where the process is alone (SQLite). */
  readonly feedPresence: FeedPresenceStore | undefined;
}

/** One decision on a key: the lease granted (undefined when refused) and the live leases it counted. */
export interface LeaseDecision {
  lease: string | undefined;
  inFlight: number;
}

/**
 * Leased attempts per key (a user id, an admin id): rows that expire, so a dead instance's attempts stop
 * counting once their lease has run out.
 */
export interface AttemptLeaseStore {
  /**
   * In one transaction holding a lock on `key` for the whole deployment: counts the key's live leases, asks
   * `admits(count)`, and when it says yes records a lease until `leaseMs` from now (the database's clock).
   * Decisions on one key are therefore taken one at a time across every instance.
   */
  decide(key: string, leaseMs: number, admits: (inFlight: number) => Promise<boolean> | boolean): Promise<LeaseDecision>;
  /**
   * Inside a transaction: holds `key`'s decision lock until it ends. An attempt's outcome (the recorded failure
   * count, a read-modify-write) is written under it, so two instances recording failures on one user at once
   * cannot both count from the same value, and no decision reads a count that is being changed.
   */
  lock(key: string): Promise<void>;
  /** Ends a lease (its attempt's outcome is committed). Ending an unknown or expired lease does nothing. */
  release(lease: string): Promise<void>;
  /** Removes every expired lease (upkeep); returns how many. */
  purgeExpired(): Promise<number>;
}
