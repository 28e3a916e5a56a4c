/**
 * The audit log's hash chain: each entry's hash covers the previous entry's hash and the entry's own
 * content, so editing, deleting or reordering any entry breaks every hash after it.
 */
import type { AuditEntry } from '../../shared/dto';
import type { AuditInsert } from '../store/store';
import { canonicalJson, sha256Hex } from './crypto';

export const GENESIS_HASH = '0'.repeat(64);

export function auditHash(prevHash: string, entry: AuditInsert): string {
  const { at, type, actor, userId, sessionId, reason, data } = entry;
  return sha256Hex(`${prevHash}\n${canonicalJson({ at, type, actor, userId, sessionId, reason, data })}`);
}

export interface ChainVerdict {
  ok: boolean;
  entries: number;
  brokenAtSeq: number | null;
}

export async function verifyChain(entries: Iterable<AuditEntry> | AsyncIterable<AuditEntry>): Promise<ChainVerdict> {
  let prev = GENESIS_HASH;
  let count = 0;
  for await (const entry of entries) {
    count += 1;
    if (entry.prevHash !== prev || auditHash(prev, entry) !== entry.hash) {
      return { ok: false, entries: count, brokenAtSeq: entry.seq };
    }
    prev = entry.hash;
  }
  return { ok: true, entries: count, brokenAtSeq: null };
}
