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
import type { KeyRow } from '../store/store';
import type { EngineContext, Tx } from './context';
import { applyPlan, emitDiscarded, emitRotation, pairOf, type Step } from './key-plan';
import { signingAlgsInUse } from './key-use';
import { checkConsistency, lockSettings, saveSettings } from './settings';

export { retirementDelayMs } from './key-plan';

interface Actor {
  actor: string;
}

/**
 * Rotation of one algorithm's pair (by default the access-token algorithm's): its next key starts signing.
 * It has been in the JWKS since the pair's last rotation, so verifiers that fetched it since accept the new
 * tokens at once. The previous key retires after access-token lifetime + skew, and a new next key is published.
 * An algorithm without keys cannot be rotated: asking for it is an algorithm change of the access tokens.
 */
export function rotateSigningKey(ctx: EngineContext, input: { alg?: SigningAlg; reason?: string }, { actor }: Actor, describe: (kid: string) => Promise<KeyInfo>): Promise<KeyInfo> {
  return ctx.keys.exclusive(async () => {
    const alg = input.alg ?? ctx.settings.signingAlg;
    const reason = input.reason ?? null;
    const pair = await pairOf(ctx.store, alg);
    if (!pair.active && !pair.next) {
      const { active } = await switchAccessAlg(ctx, { signingAlg: alg }, actor, reason);
      return describe(active);
    }
    const routine = pair.next !== undefined && ctx.keys.hasPrivate(pair.next.kid);
    const applied = await applyPlan(ctx, { steps: [{ alg, active: 'retire', next: routine ? 'promote' : 'discard' }], close: [] }, async (tx, a) => {
      await emitRotation(tx, a.done[0]!, actor, reason, routine);
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
  const target = await pairOf(ctx.store, alg);
  const usable = target.active !== undefined && ctx.keys.hasPrivate(target.active.kid);
  const nextUsable = target.next !== undefined && ctx.keys.hasPrivate(target.next.kid);
  const oldActive = (await pairOf(ctx.store, old)).active;
  const steps: Step[] = [];
  if (!usable) steps.push({ alg, active: 'retire', next: nextUsable ? 'promote' : 'discard' });
  else if (!nextUsable) steps.push({ alg, active: 'keep', next: target.next ? 'discard' : 'keep' });
  const close = alg !== old && !(await signingAlgsInUse(ctx, alg)).has(old) ? [old] : [];
  // Gap-free when the key that takes over was published before: the pair's active key, or its promoted next.
  const gapFree = usable || nextUsable;
  const publishedSince = usable ? target.active!.createdAt : nextUsable ? target.next!.createdAt : null;
  let settings = ctx.settings;
  const applied = await applyPlan(ctx, { steps, close, accessAlg: alg }, async (tx, a) => {
    // Read inside the transaction, under the settings lock: a settings change that committed while keys were
    // generated, on this instance or another, is kept.
    const current = await lockSettings(ctx.store);
    settings = checkConsistency(settingsSchema.parse({ ...current, ...patch }));
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of Object.keys(settings) as (keyof Settings)[]) {
      if (settings[key] !== current[key]) changes[key] = { from: current[key], to: settings[key] };
    }
    const saved = settings;
    await saveSettings(ctx.store, saved);
    await tx.emit({ type: 'settings.changed', actor, data: { changes } });
    tx.afterCommit(() => {
      ctx.settings = saved;
    });
    const now = a.done[0] ?? { alg, previous: undefined, oldNext: undefined, active: target.active!, next: target.next! };
    await tx.emit({
      type: 'key.rotated',
      actor,
      reason,
      // previousRetires: false when the previous key goes on signing ID tokens of its algorithm.
      data: { kid: now.active.kid, alg, previousKid: oldActive?.kid ?? null, nextKid: now.next.kid, gapFree, publishedSince, accessTokens: true, previousRetires: a.closed.length > 0 },
    });
    if (now.oldNext && now.oldNext.kid !== now.active.kid) await emitDiscarded(tx, now.oldNext, actor, 'discarded unused: its private half is missing from the key vault');
    // The old access-token key's retirement is this entry's previousKid; its unused next key gets its own.
    for (const { discarded } of a.closed) if (discarded) await emitDiscarded(tx, discarded, actor, 'discarded unused: it was never promoted to sign');
  });
  return { settings, active: applied.done[0]?.active.kid ?? target.active!.kid };
}

/**
 * Emergency revoke: every token the key signed is refused at once, and resource servers hear it on the
 * feed. Revoking an active key promotes its algorithm's next one (already published: gap-free for verifiers
 * that fetched the JWKS since) in the same transaction; revoking a next key replaces it.
 */
export function revokeSigningKey(ctx: EngineContext, input: { kid: string; reason?: string }, { actor }: Actor): Promise<Receipt> {
  return ctx.keys.exclusive(async () => {
    const key = await ctx.store.getKey(input.kid);
    if (!key) throw new WardenError('key_not_found', `No signing key with kid ${input.kid}.`);
    const reason = input.reason ?? null;
    if (key.status === 'revoked') return receipt(ctx.now(), actor, reason, 0, null);
    let feedEventId: number | null = null;
    let killed = 0;
    const revoke = async (tx: Tx, extra: Record<string, unknown>) => {
      killed = await ctx.store.countLiveAccessTokensByKid(key.kid, tx.now);
      feedEventId = await tx.revoke({ kind: 'key', subject: key.kid, userId: null, notBefore: null, expiresAt: null, actor, reason });
      await tx.emit({ type: 'key.revoked', actor, reason, data: { kid: key.kid, accessTokensKilled: killed, feedEventId, ...extra } });
    };
    if (key.status === 'active' || key.status === 'next') {
      const { next } = await pairOf(ctx.store, key.alg);
      const promote = key.status === 'active' && next !== undefined && ctx.keys.hasPrivate(next.kid);
      const step: Step = key.status === 'next' ? { alg: key.alg, active: 'keep', next: 'revoke' } : { alg: key.alg, active: 'revoke', next: promote ? 'promote' : 'discard' };
      const applied = await applyPlan(ctx, { steps: [step], close: [] }, async (tx, a) => {
        const d = a.done[0]!;
        await revoke(tx, { activeKid: d.active.kid, nextKid: d.next.kid, gapFree: key.status === 'next' || promote });
        if (key.status === 'active' && !promote && d.oldNext) await emitDiscarded(tx, d.oldNext, actor, 'discarded unused: its private half is missing from the key vault');
      });
      return receipt(applied.at, actor, reason, killed, feedEventId);
    }
    const at = await ctx.run(async (tx) => {
      await ctx.store.coordination.lock('keys');
      await ctx.store.updateKey(key.kid, { status: 'revoked', revokedAt: tx.now });
      await ctx.store.changes.announce('keys');
      const row = (await ctx.store.getKey(key.kid))!;
      tx.afterCommit(() => ctx.keys.reflect([row]));
      await revoke(tx, {});
      return tx.now;
    });
    await ctx.deletePrivateKey(key.kid);
    return receipt(at, actor, reason, killed, feedEventId);
  });
}

function receipt(at: number, actor: string, reason: string | null, accessTokens: number, feedEventId: number | null): Receipt {
  return { action: 'revokeSigningKey', at, actor, reason, sessionsRevoked: [], accessTokensRevoked: accessTokens, refreshTokensRevoked: 0, feedEventId };
}

/**
 * Retires keys whose grace period is over (called by the engine's maintenance). Several instances may run it at
 * once: the keys lock and a re-read after it make the second find nothing left to retire, so each retirement
 * is written, and audited, once.
 */
export async function retireDueKeys(ctx: EngineContext): Promise<void> {
  const now = ctx.now();
  const isDue = (key: KeyRow) => key.status === 'retiring' && key.retiresAt !== null && key.retiresAt <= now;
  if (!(await ctx.store.listKeys()).some(isDue)) return;
  await ctx.run(async (tx) => {
    await ctx.store.coordination.lock('keys');
    const due = (await ctx.store.listKeys()).filter(isDue);
    if (due.length === 0) return;
    await ctx.store.changes.announce('keys');
    const rows: KeyRow[] = [];
    for (const key of due) {
      await ctx.store.updateKey(key.kid, { status: 'retired' });
      rows.push((await ctx.store.getKey(key.kid))!);
      await tx.emit({ type: 'key.retired', actor: 'system', data: { kid: key.kid } });
    }
    tx.afterCommit(() => ctx.keys.reflect(rows));
  });
}
