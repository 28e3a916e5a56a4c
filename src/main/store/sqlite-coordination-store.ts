/**
 * `CoordinationStore` for SQLite: one process owns the data directory (its lock), its transactions are one at a
 * time on one connection, and the engine's memory already knows every change. Nothing to coordinate.
 */
import type { CoordinationStore } from './coordination-store';

export class SqliteCoordinationStore implements CoordinationStore {
  readonly attemptLeases = undefined;
  readonly unknownNames = undefined;
  readonly feedPresence = undefined;

  async lock(): Promise<void> {}

  async claimRun(): Promise<boolean> {
    return true;
  }
}
