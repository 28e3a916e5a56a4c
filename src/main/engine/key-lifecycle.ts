/**
 * The signing-key lifecycle: next → active → retiring → retired, and revoked at any point.
 *
 * - next: published in the JWKS ahead of time, signs nothing yet. Its private half waits in the vault.
 * - active: signs every new token of its algorithm's uses.
 * - retiring: signs no more, verifies what it signed until access-token lifetime + skew after it stopped.
 * - retired: verifies nothing. revoked: everything it signed is refused at once (and the feed says so).
 *
 * Keys come in pairs, one active and one next per algorithm in use: the access-token algorithm (the
 * `signingAlg` setting, which also signs feed events) and each algorithm a client's ID tokens use
 * (./key-startup.ts says which those are). A routine rotation of a pair promotes its next key, so verifiers
 * that fetched the JWKS since the last rotation already hold the new key: gap-free. Changing the access-token
 * algorithm switches access tokens to that algorithm's pair; when it had none, its keys are created at once
 * and no cached JWKS holds them. Every step writes all its rows in ONE transaction and changes the key ring
 * only after that transaction has committed.
 */
import type { KeyInfo, Receipt, Settings, SigningAlg } from '../../shared/dto';
import { settingsSchema } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { KeyRow, Store } from '../store/store';
import type { EngineContext, Tx } from './context';
import type { NewKey } from './key-ring';
import { checkConsistency, saveSettings } from './settings';
import { signingAlgsInUse } from './key-use';

interface Actor {
  actor: string;
}

/** What a step does to one algorithm's active key and to its next one. */
export interface Step {
  alg: SigningAlg;
  active: 'keep' | 'retire' | 'revoke';
  next: 'keep' | 'promote' | 'discard' | 'revoke';
}

/** One pair before and after its step. */
export interface Done {
  alg: SigningAlg;
  previous: KeyRow | undefined;
  oldNext: KeyRow | undefined;
  active: KeyRow;
  next: KeyRow;
}

/** An algorithm that went out of use: its active key retires, its next key is discarded unused. */
export interface Closed {
  alg: SigningAlg;
  retiring: KeyRow | undefined;
  discarded: KeyRow | undefined;
}

export interface Plan {
  steps: Step[];
  close: SigningAlg[];
  /** The access-token algorithm after the plan, when the plan changes it. */
  accessAlg?: SigningAlg;
}

export interface Applied {
  at: number;
  done: Done[];
  closed: Closed[];
}

type Pair = { active: KeyRow | undefined; next: KeyRow | undefined };

/** Grace period for a key taken out of signing: every token it signed has expired by then. */
export function retirementDelayMs(ctx: EngineContext): number {
  return (ctx.settings.accessTokenTtlSeconds + ctx.settings.clockSkewSeconds) * 1000;
}

export function pairOf(store: Store, alg: SigningAlg): Pair {
  const rows = store.listKeys();
  const find = (status: 'active' | 'next') => rows.find((key) => key.alg === alg && key.status === status);
  return { active: find('active'), next: find('next') };
}

/**
 * Runs a plan: creates the keys it needs (private halves into the vault first), writes every status change
 * and new row in ONE transaction with `record`'s audit events, mirrors them in the key ring only after that
 * commit, then removes private halves that will never sign. If the transaction fails, the new private halves
 * are removed again and memory is as it was.
 */
export async function applyPlan(ctx: EngineContext, plan: Plan, record: (tx: Tx, applied: Applied) => void): Promise<Applied> {
  const before = new Map<SigningAlg, Pair>([...plan.steps.map((s) => s.alg), ...plan.close].map((alg) => [alg, pairOf(ctx.store, alg)]));
  const fresh: NewKey[] = [];
  let applied: Applied;
  try {
    for (const step of plan.steps) {
      const pair = before.get(step.alg)!;
      if (step.next === 'promote' && !pair.next) throw new TypeError('no next key to promote');
      if (step.next !== 'promote' && (step.active !== 'keep' || !pair.active)) fresh.push(await ctx.keys.generate(step.alg, 'active', ctx.now()));
      if (step.next !== 'keep' || !pair.next) fresh.push(await ctx.keys.generate(step.alg, 'next', ctx.now()));
    }
    applied = ctx.run((tx) => writePlan(ctx, tx, plan, before, fresh, record));
  } catch (error) {
    for (const key of fresh) await ctx.deletePrivateKey(key.row.kid);
    throw error;
  }
  // Committed: keys that left an active/next pair will never sign again, so their private halves go.
  for (const step of plan.steps) {
    const pair = before.get(step.alg)!;
    if (pair.active && step.active !== 'keep') await ctx.deletePrivateKey(pair.active.kid);
    if (pair.next && (step.next === 'discard' || step.next === 'revoke')) await ctx.deletePrivateKey(pair.next.kid);
  }
  for (const { retiring, discarded } of applied.closed) {
    for (const key of [retiring, discarded]) if (key) await ctx.deletePrivateKey(key.kid);
  }
  return applied;
}

function writePlan(ctx: EngineContext, tx: Tx, plan: Plan, before: Map<SigningAlg, Pair>, fresh: NewKey[], record: (tx: Tx, applied: Applied) => void): Applied {
  for (const [alg, pair] of before) {
    const now = pairOf(ctx.store, alg);
    if (now.active?.kid !== pair.active?.kid || now.next?.kid !== pair.next?.kid) {
      throw new WardenError('conflict', 'The signing keys changed meanwhile; try again.');
    }
  }
  const changed: string[] = [];
  const patch = (kid: string, change: Parameters<Store['updateKey']>[1]) => {
    ctx.store.updateKey(kid, change);
    changed.push(kid);
  };
  const retire = (key: KeyRow) => patch(key.kid, { status: 'retiring', retiringSince: tx.now, retiresAt: tx.now + retirementDelayMs(ctx) });
  const discard = (key: KeyRow) => patch(key.kid, { status: 'retired', retiresAt: tx.now });
  // Order matters: at most one key of an algorithm is active and one next after every statement (a unique index says so).
  for (const step of plan.steps) {
    const { active, next } = before.get(step.alg)!;
    if (active && step.active === 'retire') retire(active);
    if (active && step.active === 'revoke') patch(active.kid, { status: 'revoked', revokedAt: tx.now });
    if (next && step.next === 'discard') discard(next);
    if (next && step.next === 'revoke') patch(next.kid, { status: 'revoked', revokedAt: tx.now });
    if (next && step.next === 'promote') patch(next.kid, { status: 'active' });
  }
  const closed: Closed[] = plan.close.map((alg) => {
    const { active, next } = before.get(alg)!;
    if (active) retire(active);
    if (next) discard(next);
    return { alg, retiring: active, discarded: next };
  });
  for (const key of fresh) {
    ctx.store.insertKey({ ...key.row, createdAt: tx.now });
    changed.push(key.row.kid);
  }
  const rows = changed.map((kid) => ctx.store.getKey(kid)!);
  const done = plan.steps.map((step): Done => {
    const pair = before.get(step.alg)!;
    const after = pairOf(ctx.store, step.alg);
    if (!after.active || !after.next) throw new TypeError('a key step must leave an active and a next key');
    return { alg: step.alg, previous: pair.active, oldNext: pair.next, active: after.active, next: after.next };
  });
  tx.afterCommit(() => ctx.keys.reflect(rows, fresh, plan.accessAlg));
  const applied: Applied = { at: tx.now, done, closed };
  record(tx, applied);
  return applied;
}

/**
 * Rotation of one algorithm's pair (by default the access-token algorithm's): its next key starts signing.
 * It has been in the JWKS since the pair's last rotation, so verifiers that fetched it since accept the new
 * tokens at once. The previous key retires after access-token lifetime + skew, and a new next key is published.
 * An algorithm without keys cannot be rotated: asking for it is an algorithm change of the access tokens.
 */
export function rotateSigningKey(ctx: EngineContext, input: { alg?: SigningAlg; reason?: string }, { actor }: Actor, describe: (kid: string) => KeyInfo): Promise<KeyInfo> {
  return ctx.keys.exclusive(async () => {
    const alg = input.alg ?? ctx.settings.signingAlg;
    const reason = input.reason ?? null;
    const pair = pairOf(ctx.store, alg);
    if (!pair.active && !pair.next) {
      const { active } = await switchAccessAlg(ctx, { signingAlg: alg }, actor, reason);
      return describe(active);
    }
    const routine = pair.next !== undefined && ctx.keys.hasPrivate(pair.next.kid);
    const applied = await applyPlan(ctx, { steps: [{ alg, active: 'retire', next: routine ? 'promote' : 'discard' }], close: [] }, (tx, a) => {
      emitRotation(tx, a.done[0]!, actor, reason, routine);
    });
    return describe(applied.done[0]!.active.kid);
  });
}

/**
 * Changes the settings `patch` names, among them the access-token algorithm (updateSettings, or a rotation
 * to an algorithm without keys), in one transaction: access tokens and feed events switch to the new
 * algorithm's active key. When it has a pair (its ID tokens' keys), that key has been published since it was
 * created: gap-free for verifiers that fetched the JWKS since. Otherwise a pair is created and signs at once
 * (cached JWKS refuse its tokens until they refetch). The old algorithm's pair closes unless ID tokens use it.
 */
export function changeAccessTokenAlg(ctx: EngineContext, patch: Partial<Settings> & { signingAlg: SigningAlg }, { actor }: Actor): Promise<Settings> {
  return ctx.keys.exclusive(async () => (await switchAccessAlg(ctx, patch, actor, null)).settings);
}

async function switchAccessAlg(ctx: EngineContext, patch: Partial<Settings> & { signingAlg: SigningAlg }, actor: string, reason: string | null): Promise<{ settings: Settings; active: string }> {
  const alg = patch.signingAlg;
  const old = ctx.settings.signingAlg;
  const target = pairOf(ctx.store, alg);
  const usable = target.active !== undefined && ctx.keys.hasPrivate(target.active.kid);
  const nextUsable = target.next !== undefined && ctx.keys.hasPrivate(target.next.kid);
  const oldActive = pairOf(ctx.store, old).active;
  const steps: Step[] = [];
  if (!usable) steps.push({ alg, active: 'retire', next: nextUsable ? 'promote' : 'discard' });
  else if (!nextUsable) steps.push({ alg, active: 'keep', next: target.next ? 'discard' : 'keep' });
  const close = alg !== old && !signingAlgsInUse(ctx, alg).has(old) ? [old] : [];
  // Gap-free when the key that takes over was published before: the pair's active key, or its promoted next.
  const gapFree = usable || nextUsable;
  const publishedSince = usable ? target.active!.createdAt : nextUsable ? target.next!.createdAt : null;
  let settings = ctx.settings;
  const applied = await applyPlan(ctx, { steps, close, accessAlg: alg }, (tx, a) => {
    // Read inside the transaction: a settings change that committed while keys were generated is kept.
    settings = checkConsistency(settingsSchema.parse({ ...ctx.settings, ...patch }));
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(settings) as (keyof Settings)[]) {
      if (settings[key] !== ctx.settings[key]) changes[key] = { from: ctx.settings[key], to: settings[key] };
    }
    const saved = settings;
    saveSettings(ctx.store, saved);
    tx.emit({ type: 'settings.changed', actor, data: { changes } });
    tx.afterCommit(() => {
      ctx.settings = saved;
    });
    const now = a.done[0] ?? { alg, previous: undefined, oldNext: undefined, active: target.active!, next: target.next! };
    tx.emit({
      type: 'key.rotated',
      actor,
      reason,
      // previousRetires: false when the previous key goes on signing ID tokens of its algorithm.
      data: { kid: now.active.kid, alg, previousKid: oldActive?.kid ?? null, nextKid: now.next.kid, gapFree, publishedSince, accessTokens: true, previousRetires: a.closed.length > 0 },
    });
    if (now.oldNext && now.oldNext.kid !== now.active.kid) emitDiscarded(tx, now.oldNext, actor, 'discarded unused: its private half is missing from the key vault');
    // The old access-token key's retirement is this entry's previousKid; its unused next key gets its own.
    for (const { discarded } of a.closed) if (discarded) emitDiscarded(tx, discarded, actor, 'discarded unused: it was never promoted to sign');
  });
  return { settings, active: applied.done[0]?.active.kid ?? target.active!.kid };
}

export function emitRotation(tx: Tx, done: Done, actor: string, reason: string | null, gapFree: boolean): void {
  const { active, next, previous, oldNext } = done;
  tx.emit({
    type: previous ? 'key.rotated' : 'key.created',
    actor,
    reason,
    data: { kid: active.kid, alg: active.alg, previousKid: previous?.kid ?? null, nextKid: next.kid, gapFree, publishedSince: gapFree ? (oldNext?.createdAt ?? null) : null },
  });
  if (!gapFree && oldNext) emitDiscarded(tx, oldNext, actor, 'discarded unused: it was never promoted to sign');
}

export function emitDiscarded(tx: Tx, key: KeyRow, actor: string, reason: string): void {
  tx.emit({ type: 'key.retired', actor, reason, data: { kid: key.kid, neverSigned: true } });
}

/** An algorithm out of use: its active key is retiring (it verifies until it retires), its next key never signed. */
export function emitClosed(tx: Tx, closed: Closed[], actor: string): void {
  for (const { alg, retiring, discarded } of closed) {
    const reason = `no longer in use: ${alg} signs neither access tokens nor any client's ID tokens`;
    if (retiring) tx.emit({ type: 'key.retiring', actor, reason, data: { kid: retiring.kid, alg } });
    if (discarded) emitDiscarded(tx, discarded, actor, reason);
  }
}

/**
 * Emergency revoke: every token the key signed is refused at once, and resource servers hear it on the
 * feed. Revoking an active key promotes its algorithm's next one (already published: gap-free for verifiers
 * that fetched the JWKS since) in the same transaction; revoking a next key replaces it.
 */
export function revokeSigningKey(ctx: EngineContext, input: { kid: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  return ctx.keys.exclusive(async () => {
    const key = ctx.store.getKey(input.kid);
    if (!key) throw new WardenError('key_not_found', `No signing key with kid ${input.kid}.`);
    const reason = input.reason ?? null;
    if (key.status === 'revoked') return receipt(ctx.now(), actor, reason, 0, null);
    let feedEventId: number | null = null;
    let killed = 0;
    const revoke = (tx: Tx, extra: Record<string, unknown>) => {
      killed = ctx.store.countLiveAccessTokensByKid(key.kid, tx.now);
      feedEventId = tx.revoke({ kind: 'key', subject: key.kid, userId: null, notBefore: null, expiresAt: null, actor, reason });
      tx.emit({ type: 'key.revoked', actor, reason, data: { kid: key.kid, accessTokensKilled: killed, feedEventId, ...extra } });
    };
    if (key.status === 'active' || key.status === 'next') {
      const { next } = pairOf(ctx.store, key.alg);
      const promote = key.status === 'active' && next !== undefined && ctx.keys.hasPrivate(next.kid);
      const step: Step = key.status === 'next' ? { alg: key.alg, active: 'keep', next: 'revoke' } : { alg: key.alg, active: 'revoke', next: promote ? 'promote' : 'discard' };
      const applied = await applyPlan(ctx, { steps: [step], close: [] }, (tx, a) => {
        const d = a.done[0]!;
        revoke(tx, { activeKid: d.active.kid, nextKid: d.next.kid, gapFree: key.status === 'next' || promote });
        if (key.status === 'active' && !promote && d.oldNext) emitDiscarded(tx, d.oldNext, actor, 'discarded unused: its private half is missing from the key vault');
      });
      return receipt(applied.at, actor, reason, killed, feedEventId);
    }
    const at = ctx.run((tx) => {
      ctx.store.updateKey(key.kid, { status: 'revoked', revokedAt: tx.now });
      const row = ctx.store.getKey(key.kid)!;
      tx.afterCommit(() => ctx.keys.reflect([row]));
      revoke(tx, {});
      return tx.now;
    });
    await ctx.deletePrivateKey(key.kid);
    return receipt(at, actor, reason, killed, feedEventId);
  });
}

function receipt(at: number, actor: string, reason: string | null, accessTokens: number, feedEventId: number | null): Receipt {
  return { action: 'revokeSigningKey', at, actor, reason, sessionsRevoked: [], accessTokensRevoked: accessTokens, refreshTokensRevoked: 0, feedEventId };
}

/** Retires keys whose grace period is over (called by the engine's maintenance). */
export function retireDueKeys(ctx: EngineContext): void {
  const now = ctx.now();
  const due = ctx.store.listKeys().filter((key) => key.status === 'retiring' && key.retiresAt !== null && key.retiresAt <= now);
  if (due.length === 0) return;
  ctx.run((tx) => {
    const rows: KeyRow[] = [];
    for (const key of due) {
      ctx.store.updateKey(key.kid, { status: 'retired' });
      rows.push(ctx.store.getKey(key.kid)!);
      tx.emit({ type: 'key.retired', actor: 'system', data: { kid: key.kid } });
    }
    tx.afterCommit(() => ctx.keys.reflect(rows));
  });
}
