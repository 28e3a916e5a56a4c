/**
 * What the renderer sees of the outside world, in both modes: the Electron preload exposes it as
 * `window.warden`; in the browser console the HTTP gateway implements the same interface over
 * `POST /admin/rpc/<method>` and SSE `/admin/events`. The renderer code is identical either way.
 */
import type { AdminMethod } from './admin-api';
import type { Result } from './errors';
import type { LiveEvent } from './events';

export interface WardenBridge {
  /** Calls one admin method. Never rejects: failures come back as `{ok:false, error:{code,message}}`. */
  call(method: AdminMethod, input: unknown): Promise<Result<unknown>>;
  /** Live engine events (the audit stream). Returns an unsubscribe function. */
  onEvent(listener: (event: LiveEvent) => void): () => void;
  /** `electron` or `browser`, and facts the console shows in its header. */
  info(): Promise<BridgeInfo>;
  /**
   * Desktop only: saves the filtered audit to a file the user picks (the main process streams it there). The
   * browser console downloads `GET /admin/audit/export` instead. Never rejects.
   */
  exportAudit?(format: 'csv' | 'jsonl', filter: Record<string, unknown>): Promise<Result<AuditSaveResult>>;
}

/** What saving an audit export did: nothing (the dialog was cancelled) or a complete file. */
export type AuditSaveResult = { saved: false } | { saved: true; path: string; entries: number; bytes: number };

export interface BridgeInfo {
  mode: 'electron' | 'browser';
  /** The token service's base URL (also the `iss` of every token). */
  issuer: string;
  keyStore: 'keychain' | 'database' | 'memory';
  demo: boolean;
  dataDir: string | null;
  /** The Token Warden version answering (package.json's). */
  version?: string;
}

/** The channel prefix every IPC message of ours uses; the preload refuses anything else. */
export const IPC_PREFIX = 'warden:';
export const IPC_CALL = 'warden:call';
export const IPC_INFO = 'warden:info';
export const IPC_EVENT = 'warden:event';
export const IPC_EXPORT_AUDIT = 'warden:export-audit';
