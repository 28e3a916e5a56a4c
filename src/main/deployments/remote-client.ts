/**
 * A remote deployment's admin API, spoken by the main process with the profile's API key
 * (`Authorization: Bearer …`): `POST /admin/rpc/<method>`, `GET /admin/info`, SSE `GET /admin/events`.
 * The remote's own error codes come back unchanged; a remote that does not answer, or answers something that
 * is not the admin API, is `deployment_unreachable`.
 */
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { BridgeInfo } from '../../shared/bridge';
import { ERROR_CODES, WardenError, type ErrorInfo, type Result } from '../../shared/errors';
import { readBody, remoteRequest, type RemoteEndpoint } from './remote-transport';

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

const envelopeSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }),
  z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
]);

const bridgeInfoSchema = z.object({
  mode: z.enum(['electron', 'browser']),
  issuer: z.string(),
  keyStore: z.string(),
  demo: z.boolean(),
  dataDir: z.string().nullable(),
  version: z.string().optional(),
});

export interface RemoteCredentials extends RemoteEndpoint {
  apiKey: string;
}

/** An error code of a newer remote that this version does not know is kept in the message. */
function toErrorInfo(error: { code: string; message: string }): ErrorInfo {
  if (KNOWN_CODES.has(error.code)) return { code: error.code as ErrorInfo['code'], message: error.message };
  return { code: 'internal_error', message: `The deployment answered ${error.code}: ${error.message}` };
}

export class RemoteAdminClient {
  constructor(
    private readonly remote: RemoteCredentials,
    private readonly timeoutMs?: number,
  ) {}

  get baseUrl(): string {
    return this.remote.baseUrl;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.remote.apiKey}`, Accept: 'application/json', ...extra };
  }

  private async envelope(res: IncomingMessage, what: string): Promise<Result<unknown>> {
    const text = await readBody(res);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const parsed = envelopeSchema.safeParse(body);
    if (!parsed.success) {
      throw new WardenError('deployment_unreachable', `${this.remote.baseUrl} does not answer ${what} as a Token Warden admin API (HTTP ${res.statusCode ?? '?'}).`);
    }
    return parsed.data.ok ? { ok: true, value: parsed.data.value } : { ok: false, error: toErrorInfo(parsed.data.error) };
  }

  /** One admin method on the remote. Never rejects: every failure is a Result with a stable code. */
  async call(method: string, input: unknown): Promise<Result<unknown>> {
    try {
      const res = await remoteRequest(this.remote, {
        method: 'POST',
        path: `/admin/rpc/${encodeURIComponent(method)}`,
        headers: this.headers({ 'Content-Type': 'application/json' }),
        body: JSON.stringify(input ?? {}),
        ...(this.timeoutMs !== undefined ? { timeoutMs: this.timeoutMs } : {}),
      });
      return await this.envelope(res, method);
    } catch (error) {
      return { ok: false, error: asErrorInfo(error, this.remote.baseUrl) };
    }
  }

  /** The remote's header facts (issuer, key store, demo, version). */
  async info(): Promise<Result<BridgeInfo & { version?: string }>> {
    try {
      const res = await remoteRequest(this.remote, { method: 'GET', path: '/admin/info', headers: this.headers(), ...(this.timeoutMs !== undefined ? { timeoutMs: this.timeoutMs } : {}) });
      const result = await this.envelope(res, '/admin/info');
      if (!result.ok) return result;
      const info = bridgeInfoSchema.safeParse(result.value);
      if (!info.success) throw new WardenError('deployment_unreachable', `${this.remote.baseUrl} sent /admin/info in a form this version does not read.`);
      // A key store this version does not know is shown as the one that warns (memory).
      const known = ['keychain', 'database', 'memory'] as const;
      const keyStore = known.find((kind) => kind === info.data.keyStore) ?? 'memory';
      return { ok: true, value: { ...info.data, keyStore } };
    } catch (error) {
      return { ok: false, error: asErrorInfo(error, this.remote.baseUrl) };
    }
  }

  /**
   * Opens the remote's live event stream. Resolves once it is open (rejects with a WardenError otherwise);
   * `onData` gets each event's `data` (LiveEvent JSON) and `id`, `onEnd` is called once when it ends for any
   * reason other than `close()`.
   */
  async events(onData: (data: string, id: string | null) => void, onEnd: () => void): Promise<{ close(): void }> {
    const abort = new AbortController();
    let res: IncomingMessage;
    try {
      res = await remoteRequest(this.remote, { method: 'GET', path: '/admin/events', headers: this.headers({ Accept: 'text/event-stream' }), signal: abort.signal, ...(this.timeoutMs !== undefined ? { timeoutMs: this.timeoutMs } : {}) });
    } catch (error) {
      throw asWardenError(error, this.remote.baseUrl);
    }
    if (res.statusCode !== 200) {
      const result = await this.envelope(res, '/admin/events').catch((error: unknown) => ({ ok: false as const, error: asErrorInfo(error, this.remote.baseUrl) }));
      throw result.ok ? new WardenError('deployment_unreachable', `${this.remote.baseUrl} refused its event stream (HTTP ${res.statusCode ?? '?'}).`) : new WardenError(result.error.code, result.error.message);
    }
    let closed = false;
    const parser = sseParser(onData);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => parser(chunk));
    const ended = () => {
      if (closed) return;
      closed = true;
      onEnd();
    };
    res.once('end', ended);
    res.once('error', ended);
    res.once('close', ended);
    return {
      close() {
        closed = true;
        abort.abort();
        res.destroy();
      },
    };
  }
}

function asErrorInfo(error: unknown, baseUrl: string): ErrorInfo {
  const warden = asWardenError(error, baseUrl);
  return { code: warden.code, message: warden.message };
}

function asWardenError(error: unknown, baseUrl: string): WardenError {
  if (error instanceof WardenError) return error;
  return new WardenError('deployment_unreachable', `The deployment at ${baseUrl} did not answer.`, { detail: String(error) });
}

/** A minimal `text/event-stream` reader: `data:` lines joined, `id:` kept, comments and other fields ignored. */
export function sseParser(onEvent: (data: string, id: string | null) => void): (chunk: string) => void {
  let buffer = '';
  let data: string[] = [];
  let id: string | null = null;
  return (chunk) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.search(/\r?\n/)) !== -1) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(buffer[newline] === '\r' ? newline + 2 : newline + 1);
      if (line === '') {
        if (data.length > 0) onEvent(data.join('\n'), id);
        data = [];
        id = null;
      } else if (line.startsWith('data:')) {
        data.push(line.slice(5).replace(/^ /, ''));
      } else if (line.startsWith('id:')) {
        id = line.slice(3).trim();
      }
    }
    // A line without its end yet stays in the buffer; bound it so a broken server cannot grow it forever.
    if (buffer.length > 1024 * 1024) buffer = '';
  };
}
