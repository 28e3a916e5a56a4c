/**
 * Audit search (store.auditSearch): free text over the FTS5 trigram index, several types at once, actor and
 * user by prefix, and the reuse-alert worklist with its acknowledgements. Results are newest first (by seq).
 */
import type { AuditEntry } from '../../shared/dto';

export interface AuditSearchFilter {
  /** Free text: a substring (3+ characters) of the type, actor, user or session id, reason or data, case-insensitive. */
  q?: string;
  /** Any of these types. */
  types?: string[];
  actor?: string;
  actorPrefix?: string;
  userId?: string;
  userPrefix?: string;
  sessionId?: string;
  /** Inclusive bounds on `at` (ms). */
  since?: number;
  until?: number;
  /** Exclusive: entries older than this seq (paging). */
  beforeSeq?: number;
  limit: number;
}

export interface AuditAcknowledgement {
  seq: number;
  /** The admin who acknowledged it (`admin:<username>`). */
  by: string;
  at: number;
  note: string;
}

export interface ReuseAlertRow {
  entry: AuditEntry;
  acknowledgement: AuditAcknowledgement | null;
}

export interface ReuseAlertFilter {
  status?: 'open' | 'acknowledged';
  beforeSeq?: number;
  limit: number;
}

/** The audit types that are reuse alerts: a stolen credential presented twice. */
export const REUSE_ALERT_TYPES = ['refresh_token.reused', 'authorization_code.reused'] as const;

export interface AuditSearchStore {
  search(filter: AuditSearchFilter): Promise<AuditEntry[]>;
  /** One entry by seq. */
  get(seq: number): Promise<AuditEntry | undefined>;
  /** Throws WardenError conflict when the entry was already acknowledged. */
  acknowledge(ack: AuditAcknowledgement): Promise<void>;
  getAcknowledgement(seq: number): Promise<AuditAcknowledgement | undefined>;
  listReuseAlerts(filter: ReuseAlertFilter): Promise<ReuseAlertRow[]>;
  countOpenReuseAlerts(): Promise<number>;
}
