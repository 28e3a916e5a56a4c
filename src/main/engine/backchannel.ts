/**
 * OpenID Connect Back-Channel Logout 1.0, the engine's half: when a session ends, every client that registered
 * a `backchannelLogoutUri` is owed a logout token. The debt is an outbox row written in the revocation's own
 * transaction (so a crash after the commit loses none); the transport (src/main/http/backchannel-delivery.ts)
 * claims due rows with a lease, POSTs the token and reports back here, where the outcome is judged, scheduled
 * and audited. HTTP stays out of the engine; the rules (what a token says, what counts as delivered, how long
 * to keep trying) stay in.
 */
import type { BackchannelDelivery } from '../../shared/admin-api';
import { WardenError } from '../../shared/errors';
import type { OutboxRow } from '../store/backchannel-outbox-store';
import type { SessionRow } from '../store/store';
import type { EngineContext, Tx } from './context';
import { randomId } from './crypto';

/** The `events` member that makes a JWT a logout token (§2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** How long a logout token is worth attempting after its session ended; then the row fails for good. */
export const GIVE_UP_AFTER_MS = 3_600_000;
/** The first retry waits this long, each later one twice as long as the one before… */
export const FIRST_RETRY_MS = 1_000;
/** …up to this. Over an hour that is 20 attempts per token when none is answered (ignoring lease time). */
export const MAX_RETRY_MS = 300_000;
/** A logout token is short-lived: receivers check `iat`/`exp`, and each attempt signs a fresh one. */
const LOGOUT_TOKEN_TTL_S = 120;
const MAX_LISTED = 500;

/**
 * Queues a logout token for the session's client, when it takes them. Called by revokeSession (./revoke.ts)
 * inside the revocation's transaction: the row commits with it or not at all.
 */
export async function enqueueBackchannelLogout(ctx: EngineContext, tx: Tx, session: SessionRow, revocationId: number | null): Promise<void> {
  const client = await ctx.store.getClient(session.clientId);
  if (!client?.backchannelLogoutUri) return;
  await ctx.store.backchannelOutbox.insert({
    jti: randomId('blt'),
    clientId: client.clientId,
    uri: client.backchannelLogoutUri,
    sessionId: session.id,
    userId: session.userId,
    revocationId,
    createdAt: tx.now,
    nextAttemptAt: tx.now,
    giveUpAt: tx.now + GIVE_UP_AFTER_MS,
  });
  // Every instance's delivery worker hears it once this commits (several instances: whoever claims it first).
  await ctx.store.changes.announce('outbox');
}

/** One leased row and the logout token to POST for it (signed now: `iat` is the attempt's). */
export interface DueLogout {
  row: OutboxRow;
  logoutToken: string;
}

/**
 * Leases up to `limit` due rows until now + `leaseMs` and signs their tokens. A row whose token cannot be
 * signed (no key of the client's alg) is scheduled again like a refused delivery, not dropped.
 */
export async function claimDueLogouts(ctx: EngineContext, limit: number, leaseMs: number): Promise<DueLogout[]> {
  const now = ctx.now();
  // A read first: most wakes (every session revocation) find nothing due, and need no write lock for that.
  const earliest = await ctx.store.backchannelOutbox.nextDueAt();
  if (earliest === undefined || earliest > now) return [];
  // Routine commit: a lease lost to a power cut only lets the row be attempted once more.
  const rows = await ctx.store.transaction(() => ctx.store.backchannelOutbox.claimDue(now, now + leaseMs, limit));
  const due: DueLogout[] = [];
  for (const row of rows) {
    try {
      due.push({ row, logoutToken: await signLogoutToken(ctx, row, now) });
    } catch (error) {
      await recordLogoutAttempt(ctx, row, { status: null, error: error instanceof WardenError ? error.message : 'the logout token could not be signed', latencyMs: 0 });
    }
  }
  return due;
}

/**
 * §2.4: iss, aud, iat, exp, jti, sid, events; never a nonce. Signed like the client's ID tokens. No `sub`: the
 * token ends one session, and receivers read `sub` as "every session of this user" (§2.4 means that only
 * without `sid`, but express-openid-connect records both): with it, revoking one device signs the user out of
 * the app in every browser, and a replay within the token's lifetime signs out sessions opened after it.
 */
export function logoutTokenClaims(ctx: EngineContext, row: OutboxRow, now: number): Record<string, unknown> {
  const iat = Math.floor(now / 1000);
  return {
    iss: ctx.issuer,
    aud: row.clientId,
    iat,
    exp: iat + LOGOUT_TOKEN_TTL_S,
    jti: row.jti,
    sid: row.sessionId,
    events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
  };
}

async function signLogoutToken(ctx: EngineContext, row: OutboxRow, now: number): Promise<string> {
  const alg = (await ctx.store.getClient(row.clientId))?.idTokenSignedResponseAlg ?? 'RS256';
  const header = { typ: 'logout+jwt' };
  const claims = logoutTokenClaims(ctx, row, now);
  // no_active_key when no key of the client's alg signs yet: the row is retried, not dropped.
  return ctx.keys.signWith(alg, header, claims).token;
}

/** What one POST came to: the HTTP status (null when none arrived) and, when it is not a success, why. */
export interface AttemptReport {
  status: number | null;
  error: string | null;
  latencyMs: number;
}

type Verdict = 'delivered' | 'refused' | 'transient';

/**
 * §2.8: a receiver answers 200 (or 204) when it logged the session out, 400 when it could not (a bad token,
 * which the same token signed again will not fix). No answer, a 5xx, 408 or 429 may pass: try again. A
 * redirect is not followed (it could carry the token to another host) and counts as a refusal.
 */
function judge(status: number | null): Verdict {
  if (status === null) return 'transient';
  if (status >= 200 && status < 300) return 'delivered';
  if (status >= 500 || status === 408 || status === 429) return 'transient';
  return 'refused';
}

/** The wait before attempt n+1 after n attempts have failed. */
export function retryDelayMs(attempts: number): number {
  return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
}

/**
 * Settles or reschedules the row after an attempt and audits the outcome. Returns false when the row was
 * settled already (another process finished it after this one's lease ran out): then nothing is audited.
 */
export async function recordLogoutAttempt(ctx: EngineContext, row: OutboxRow, report: AttemptReport): Promise<boolean> {
  return ctx.run(async (tx) => {
    const verdict = judge(report.status);
    const nextAttemptAt = tx.now + retryDelayMs(row.attempts);
    const final = verdict === 'refused' || (verdict === 'transient' && nextAttemptAt > row.giveUpAt);
    const error = report.error ?? (report.status === null ? 'no answer' : `HTTP ${report.status}`);
    const outbox = ctx.store.backchannelOutbox;
    const settled =
      verdict === 'delivered'
        ? await outbox.settle(row.id, { kind: 'delivered', at: tx.now, status: report.status! })
        : final
          ? await outbox.settle(row.id, { kind: 'failed', at: tx.now, status: report.status, error })
          : await outbox.settle(row.id, { kind: 'retry', at: tx.now, status: report.status, error, nextAttemptAt });
    if (!settled) return false;
    // A retry's time is news to the other instances' workers (their timers sleep until the earliest due row).
    if (verdict !== 'delivered' && !final) await ctx.store.changes.announce('outbox');
    const data = {
      clientId: row.clientId,
      outboxId: row.id,
      jti: row.jti,
      feedEventId: row.revocationId,
      status: report.status,
      latencyMs: report.latencyMs,
      sinceRevocationMs: tx.now - row.createdAt,
      attempt: row.attempts,
    };
    await tx.emit({
      type: verdict === 'delivered' ? 'backchannel_logout.delivered' : 'backchannel_logout.failed',
      actor: 'system',
      userId: row.userId,
      sessionId: row.sessionId,
      reason: verdict === 'delivered' ? null : error,
      data: verdict === 'delivered' ? data : { ...data, error, final, nextAttemptAt: final ? null : nextAttemptAt },
    });
    return true;
  });
}

/** When the transport should look again (undefined: nothing pending). */
export async function nextLogoutDueAt(ctx: EngineContext): Promise<number | undefined> {
  return ctx.store.backchannelOutbox.nextDueAt();
}

function toDelivery(row: OutboxRow): BackchannelDelivery {
  const state = row.deliveredAt !== null ? 'delivered' : row.failedAt !== null ? 'failed' : 'pending';
  return {
    id: row.id,
    clientId: row.clientId,
    sessionId: row.sessionId,
    uri: row.uri,
    state,
    queuedAt: row.createdAt,
    attempts: row.attempts,
    deliveredAt: row.deliveredAt,
    failedAt: row.failedAt,
    nextAttemptAt: state === 'pending' ? row.nextAttemptAt : null,
    lastStatus: row.lastStatus,
    lastError: row.lastError,
  };
}

/** The admin receipt's view: every logout token owed for one feed event, and where each stands. */
export async function listBackchannelDeliveries(ctx: EngineContext, input: { feedEventId: number }): Promise<BackchannelDelivery[]> {
  return (await ctx.store.backchannelOutbox.listByRevocation(input.feedEventId, MAX_LISTED)).map(toDelivery);
}
