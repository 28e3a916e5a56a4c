/**
 * The signing-key lifecycle: next → active → retiring → retired, and revoked at any point.
 *
 * - next: published in the JWKS ahead of time, signs nothing yet. Its private half waits in the vault.
 * - active: signs every new token.
 * - retiring: signs no more, verifies what it signed until access-token lifetime + skew after it stopped.
 * - retired: verifies nothing. revoked: everything it signed is refused at once (and the feed says so).
 *
 * A routine rotation promotes next → active, so verifiers that fetched the JWKS since the last rotation
 * already hold the new key: gap-free. An algorithm change cannot have been published ahead: a key of the new
 * algorithm signs at once, and the unused next key is discarded (retired: it never signed anything, so
 * nothing needs it, and nothing leaked, so no revocation goes out on the feed). Every step creates the next
 * key anew, in the same transaction, and changes the key ring only after that transaction has committed.
 */
import type { KeyInfo, Receipt, SigningAlg } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { KeyRow, Store } from '../store/store';
import type { EngineContext, Tx } from './context';
import type { NewKey } from './key-ring';
import { pinSettings, saveSettings } from './settings';

interface Actor {
  actor: string;
}

/** What a step does to the key that signs now, and to the next one. */
interface Step {
  active: 'keep' | 'retire' | 'revoke';
  next: 'keep' | 'promote' | 'discard' | 'revoke';
  /** The algorithm of every key the step creates. */
  alg: SigningAlg;
}

interface Done {
  at: number;
  /** The active and next keys before the step. */
  previous: KeyRow | undefined;
  oldNext: KeyRow | undefined;
  /** The active and next keys after it. */
  active: KeyRow;
  next: KeyRow;
}

/** Grace period for a key taken out of signing: every token it signed has expired by then. */
export function retirementDelayMs(ctx: EngineContext): number {
  return (ctx.settings.accessTokenTtlSeconds + ctx.settings.clockSkewSeconds) * 1000;
}

function currentKeys(store: Store): { active: KeyRow | undefined; next: KeyRow | undefined } {
  const rows = store.listKeys();
  return { active: rows.find((key) => key.status === 'active'), next: rows.find((key) => key.status === 'next') };
}

/**
 * Runs one step: creates the keys it needs (private halves into the vault first), writes every status
 * change and new row in ONE transaction with `record`'s audit events, mirrors them in the key ring only
 * after that commit, then removes private halves that will never sign. If the transaction fails, the new
 * private halves are removed again and memory is as it was.
 */
async function applyStep(ctx: EngineContext, step: Step, record: (tx: Tx, done: Done) => void): Promise<Done> {
  const before = currentKeys(ctx.store);
  if (step.next === 'promote' && !before.next) throw new TypeError('no next key to promote');
  const needsActive = step.next !== 'promote' && (step.active !== 'keep' || !before.active);
  const needsNext = step.next !== 'keep' || !before.next;
  const fresh: NewKey[] = [];
  let done: Done;
  try {
    if (needsActive) fresh.push(await ctx.keys.generate(step.alg, 'active', ctx.now()));
    if (needsNext) fresh.push(await ctx.keys.generate(step.alg, 'next', ctx.now()));
    done = ctx.run((tx) => writeStep(ctx, tx, step, before, fresh, record));
  } catch (error) {
    for (const key of fresh) await ctx.deletePrivateKey(key.row.kid);
    throw error;
  }
  // Committed: keys that left the active/next pair will never sign again, so their private halves go.
  if (before.active && step.active !== 'keep') await ctx.deletePrivateKey(before.active.kid);
  if (before.next && (step.next === 'discard' || step.next === 'revoke')) await ctx.deletePrivateKey(before.next.kid);
  return done;
}

function writeStep(ctx: EngineContext, tx: Tx, step: Step, before: ReturnType<typeof currentKeys>, fresh: NewKey[], record: (tx: Tx, done: Done) => void): Done {
  const now = currentKeys(ctx.store);
  if (now.active?.kid !== before.active?.kid || now.next?.kid !== before.next?.kid) {
    throw new WardenError('conflict', 'The signing keys changed meanwhile; try again.');
  }
  const changed: string[] = [];
  const patch = (kid: string, change: Parameters<Store['updateKey']>[1]) => {
    ctx.store.updateKey(kid, change);
    changed.push(kid);
  };
  // Order matters: at most one key is active and one next after every statement (a unique index says so).
  if (before.active && step.active === 'retire') patch(before.active.kid, { status: 'retiring', retiringSince: tx.now, retiresAt: tx.now + retirementDelayMs(ctx) });
  if (before.active && step.active === 'revoke') patch(before.active.kid, { status: 'revoked', revokedAt: tx.now });
  if (before.next && step.next === 'discard') patch(before.next.kid, { status: 'retired', retiresAt: tx.now });
  if (before.next && step.next === 'revoke') patch(before.next.kid, { status: 'revoked', revokedAt: tx.now });
  if (before.next && step.next === 'promote') patch(before.next.kid, { status: 'active' });
  for (const key of fresh) {
    ctx.store.insertKey({ ...key.row, createdAt: tx.now });
    changed.push(key.row.kid);
  }
  const rows = changed.map((kid) => ctx.store.getKey(kid)!);
  const after = currentKeys(ctx.store);
  if (!after.active || !after.next) throw new TypeError('a key step must leave an active and a next key');
  tx.afterCommit(() => ctx.keys.reflect(rows, fresh));
  const done: Done = { at: tx.now, previous: before.active, oldNext: before.next, active: after.active, next: after.next };
  record(tx, done);
  return done;
}

/** An explicit algorithm in a rotation becomes the setting, so later rotations (and the next key) keep it. */
function adoptAlgorithm(ctx: EngineContext, tx: Tx, alg: SigningAlg, actor: string): void {
  if (ctx.settings.signingAlg === alg) return;
  const settings = { ...ctx.settings, signingAlg: alg };
  saveSettings(ctx.store, settings);
  tx.emit({ type: 'settings.changed', actor, data: { changes: { signingAlg: { from: ctx.settings.signingAlg, to: alg } } } });
  tx.afterCommit(() => {
    ctx.settings = { ...ctx.settings, signingAlg: alg };
  });
}

/**
 * Rotation. With the next key's algorithm (the routine case) the next key starts signing: it has been in the
 * JWKS since the last rotation, so verifiers that fetched it since accept the new tokens at once. With another
 * algorithm a new key of that algorithm signs at once (verifiers with a cached JWKS refuse its tokens until
 * they refetch). Either way the previous key retires after access-token lifetime + skew, and a new next key
 * is published.
 */
export function rotateSigningKey(ctx: EngineContext, input: { alg?: SigningAlg; reason?: string }, { actor }: Actor, describe: (kid: string) => KeyInfo): Promise<KeyInfo> {
  return ctx.keys.exclusive(async () => {
    const alg = input.alg ?? ctx.settings.signingAlg;
    const { next } = currentKeys(ctx.store);
    const routine = next !== undefined && next.alg === alg && ctx.keys.hasPrivate(next.kid);
    const done = await applyStep(ctx, { active: 'retire', next: routine ? 'promote' : 'discard', alg }, (tx, d) => {
      adoptAlgorithm(ctx, tx, alg, actor);
      emitRotation(tx, d, actor, input.reason ?? null, routine);
    });
    return describe(done.active.kid);
  });
}

function emitRotation(tx: Tx, done: Done, actor: string, reason: string | null, gapFree: boolean): void {
  const { active, next, previous, oldNext } = done;
  tx.emit({
    type: previous ? 'key.rotated' : 'key.created',
    actor,
    reason,
    data: { kid: active.kid, alg: active.alg, previousKid: previous?.kid ?? null, nextKid: next.kid, gapFree, publishedSince: gapFree ? (oldNext?.createdAt ?? null) : null },
  });
  if (!gapFree && oldNext) {
    tx.emit({ type: 'key.retired', actor, reason: 'discarded unused: it was never promoted to sign', data: { kid: oldNext.kid, neverSigned: true } });
  }
}

/**
 * Emergency revoke: every token the key signed is refused at once, and resource servers hear it on the
 * feed. Revoking the active key promotes the next one (already published: gap-free for verifiers that
 * fetched the JWKS since) in the same transaction; revoking the next key replaces it.
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
      const { next } = currentKeys(ctx.store);
      const promote = key.status === 'active' && next !== undefined && ctx.keys.hasPrivate(next.kid);
      const step: Step = key.status === 'next' ? { active: 'keep', next: 'revoke', alg: key.alg } : { active: 'revoke', next: promote ? 'promote' : 'discard', alg: next?.alg ?? key.alg };
      const done = await applyStep(ctx, step, (tx, d) => {
        revoke(tx, { activeKid: d.active.kid, nextKid: d.next.kid, gapFree: key.status === 'next' || promote });
        if (key.status === 'active' && !promote && d.oldNext) {
          tx.emit({ type: 'key.retired', actor, reason: 'discarded unused: its private half is missing from the key vault', data: { kid: d.oldNext.kid, neverSigned: true } });
        }
      });
      return receipt(done.at, actor, reason, killed, feedEventId);
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

/**
 * At open: makes sure a key signs and a next key is published. A new install gets both (of `initialAlg`,
 * which also becomes its setting); an upgraded install, or one whose next key's private half is gone, gets a
 * new next key; a lost active key is replaced by the next one when the vault still has it.
 */
export function ensureSigningKeys(ctx: EngineContext, initialAlg: SigningAlg | undefined): Promise<void> {
  return ctx.keys.exclusive(async () => {
    const { active, next } = currentKeys(ctx.store);
    const found = await ctx.keys.load();
    const system = 'system';
    if (!active && !next && ctx.store.listKeys().length === 0) {
      const alg = initialAlg ?? ctx.settings.signingAlg;
      await applyStep(ctx, { active: 'keep', next: 'keep', alg }, (tx, d) => {
        pinAlgorithm(ctx, tx, alg);
        emitRotation(tx, d, system, 'first start', false);
      });
      return;
    }
    const alg = ctx.settings.signingAlg;
    if (!found.active) {
      const lost = active ? 'the active private key is missing from the key vault' : 'no active signing key';
      const step: Step = { active: 'retire', next: found.next ? 'promote' : 'discard', alg: found.next ? next!.alg : alg };
      await applyStep(ctx, step, (tx, d) => emitRotation(tx, d, system, lost, found.next));
    } else if (!found.next) {
      await applyStep(ctx, { active: 'keep', next: next ? 'discard' : 'keep', alg }, (tx, d) => {
        tx.emit({ type: 'key.created', actor: system, reason: next ? 'the next private key is missing from the key vault' : 'publish the next key ahead of rotation', data: { kid: d.next.kid, alg: d.next.alg, status: 'next' } });
        if (next) tx.emit({ type: 'key.retired', actor: system, reason: 'discarded unused: its private half is missing from the key vault', data: { kid: next.kid, neverSigned: true } });
      });
    }
  });
}

/** A new install records its algorithm, so a later change of the built-in default never changes it. */
function pinAlgorithm(ctx: EngineContext, tx: Tx, alg: SigningAlg): void {
  pinSettings(ctx.store, { signingAlg: alg });
  tx.afterCommit(() => {
    ctx.settings = { ...ctx.settings, signingAlg: alg };
  });
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
