/**
 * The browser-mode WardenBridge: the same interface the Electron preload exposes, spoken over the admin HTTP
 * API (`POST /admin/rpc/<method>`, `GET /admin/info`, SSE `GET /admin/events`) with the session cookie and,
 * on POSTs, the session's CSRF token (`X-CSRF-Token`).
 * `call` never rejects: every failure comes back as `{ok:false, error:{code, message}}`.
 */
import { z } from 'zod';
import type { AdminMethod } from '../../shared/admin-api';
import type { BridgeInfo, WardenBridge } from '../../shared/bridge';
import type { Result } from '../../shared/errors';
import { toErrorInfo } from './api-error';
import { SESSION_ENDED, type BrowserAuth } from './browser-auth';
import type { EventStream } from './event-stream';

const UNREACHABLE = { code: 'internal_error', message: 'Token service unreachable' } as const;
const SIGNED_OUT = { code: 'unauthorized', message: 'Sign in to continue.' } as const;

const bridgeInfoSchema = z.object({
  mode: z.enum(['electron', 'browser']),
  issuer: z.string(),
  keyStore: z.enum(['keychain', 'database', 'memory']),
  demo: z.boolean(),
  dataDir: z.string().nullable(),
});

/** Reads a Result envelope from an untrusted body. */
function toResult(body: unknown): Result<unknown> {
  if (typeof body === 'object' && body !== null && 'ok' in body) {
    if (body.ok === true && 'value' in body) return { ok: true, value: body.value };
    if (body.ok === false && 'error' in body) return { ok: false, error: toErrorInfo(body.error) };
  }
  return { ok: false, error: { code: 'internal_error', message: 'The token service sent an unexpected reply.' } };
}

export function createHttpBridge(auth: BrowserAuth, events: EventStream): WardenBridge {
  async function request(path: string, init: RequestInit): Promise<Result<unknown>> {
    await auth.ready;
    const csrf = auth.csrf();
    if (csrf === null) return { ok: false, error: SIGNED_OUT };
    let response: Response;
    try {
      // The session cookie goes along by itself (same origin); the CSRF token proves the page is ours.
      response = await fetch(path, {
        ...init,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { ...init.headers, 'X-CSRF-Token': csrf },
      });
    } catch {
      return { ok: false, error: UNREACHABLE };
    }
    const body: unknown = await response.json().catch(() => null);
    const result = toResult(body);
    if (response.status === 401) {
      auth.invalidate(SESSION_ENDED);
      return result.ok ? { ok: false, error: SIGNED_OUT } : result;
    }
    return result;
  }

  return {
    call(method: AdminMethod, input: unknown) {
      return request(`/admin/rpc/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {}),
      });
    },
    onEvent: (listener) => events.subscribe(listener),
    async info(): Promise<BridgeInfo> {
      await auth.ready;
      const response = await fetch('/admin/info', { credentials: 'same-origin', cache: 'no-store' });
      if (response.status === 401) auth.invalidate(SESSION_ENDED);
      const body: unknown = await response.json();
      // Accept the info either bare or wrapped in a Result envelope.
      const candidate = typeof body === 'object' && body !== null && 'ok' in body && 'value' in body ? body.value : body;
      return bridgeInfoSchema.parse(candidate);
    },
  };
}
