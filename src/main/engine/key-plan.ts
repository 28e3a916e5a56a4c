/**
 * The steps of the signing-key lifecycle (./key-lifecycle.ts) and of start-up (./key-startup.ts): a plan changes
 * one or more algorithms' pairs (each algorithm in use has an active and a next key) in ONE transaction, and the
 * key ring mirrors it only after that transaction has committed. Also the audit entries steps share.
 */
import type { SigningAlg } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { KeyRow, Store } from '../store/store';
import type { EngineContext, Tx } from './context';
import type { NewKey } from './key-ring';

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

export async function pairOf(store: Store, alg: SigningAlg): Promise<Pair> {
  const rows = await store.listKeys();
  const find = (status: 'active' | 'next') => rows.find((key) => key.alg === alg && key.status === status);
  return { active: find('active'), next: find('next') };
}

/**
 * Runs a plan: creates the keys it needs (private halves into the vault first), writes every status change
 * and new row in ONE transaction with `record`'s audit events, mirrors them in the key ring only after that
 * commit, then removes private halves that will never sign. If the transaction fails, the new private halves
 * are removed again and memory is as it was.
 */
export async function applyPlan(ctx: EngineContext, plan: Plan, record: (tx: Tx, applied: Applied) => Promise<void>): Promise<Applied> {
  const before = new Map<SigningAlg, Pair>();
  for (const alg of [...plan.steps.map((s) => s.alg), ...plan.close]) before.set(alg, await pairOf(ctx.store, alg));
  const fresh: NewKey[] = [];
  let applied: Applied;
  try {
    for (const step of plan.steps) {
      const pair = before.get(step.alg)!;
      if (step.next === 'promote' && !pair.next) throw new TypeError('no next key to promote');
      if (step.next !== 'promote' && (step.active !== 'keep' || !pair.active)) fresh.push(await ctx.keys.generate(step.alg, 'active', ctx.now()));
      if (step.next !== 'keep' || !pair.next) fresh.push(await ctx.keys.generate(step.alg, 'next', ctx.now()));
    }
    applied = await ctx.run((tx) => writePlan(ctx, tx, plan, before, fresh, record));
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

async function writePlan(ctx: EngineContext, tx: Tx, plan: Plan, before: Map<SigningAlg, Pair>, fresh: NewKey[], record: (tx: Tx, applied: Applied) => Promise<void>): Promise<Applied> {
  // One key change at a time for the whole deployment: the re-read below then sees another instance's commit.
  await ctx.store.coordination.lock('keys');
  await ctx.store.changes.announce('keys');
  for (const [alg, pair] of before) {
    const now = await pairOf(ctx.store, alg);
    if (now.active?.kid !== pair.active?.kid || now.next?.kid !== pair.next?.kid) {
      throw new WardenError('conflict', 'The signing keys changed meanwhile; try again.');
    }
  }
  const changed: string[] = [];
  const patch = async (kid: string, change: Parameters<Store['updateKey']>[1]) => {
    await ctx.store.updateKey(kid, change);
    changed.push(kid);
  };
  const retire = (key: KeyRow) => patch(key.kid, { status: 'retiring', retiringSince: tx.now, retiresAt: tx.now + retirementDelayMs(ctx) });
  const discard = (key: KeyRow) => patch(key.kid, { status: 'retired', retiresAt: tx.now });
  // Order matters: at most one key of an algorithm is active and one next after every statement (a unique index says so).
  for (const step of plan.steps) {
    const { active, next } = before.get(step.alg)!;
    if (active && step.active === 'retire') await retire(active);
    if (active && step.active === 'revoke') await patch(active.kid, { status: 'revoked', revokedAt: tx.now });
    if (next && step.next === 'discard') await discard(next);
    if (next && step.next === 'revoke') await patch(next.kid, { status: 'revoked', revokedAt: tx.now });
    if (next && step.next === 'promote') await patch(next.kid, { status: 'active' });
  }
  const closed: Closed[] = [];
  for (const alg of plan.close) {
    const { active, next } = before.get(alg)!;
    if (active) await retire(active);
    if (next) await discard(next);
    closed.push({ alg, retiring: active, discarded: next });
  }
  for (const key of fresh) {
    await ctx.store.insertKey({ ...key.row, createdAt: tx.now });
    changed.push(key.row.kid);
  }
  const rows: KeyRow[] = [];
  for (const kid of changed) rows.push((await ctx.store.getKey(kid))!);
  const done: Done[] = [];
  for (const step of plan.steps) {
    const pair = before.get(step.alg)!;
    const after = await pairOf(ctx.store, step.alg);
    if (!after.active || !after.next) throw new TypeError('a key step must leave an active and a next key');
    done.push({ alg: step.alg, previous: pair.active, oldNext: pair.next, active: after.active, next: after.next });
  }
  tx.afterCommit(() => ctx.keys.reflect(rows, fresh, plan.accessAlg));
  const applied: Applied = { at: tx.now, done, closed };
  await record(tx, applied);
  return applied;
}

export async function emitRotation(tx: Tx, done: Done, actor: string, reason: string | null, gapFree: boolean): Promise<void> {
  const { active, next, previous, oldNext } = done;
  await tx.emit({
    type: previous ? 'key.rotated' : 'key.created',
    actor,
    reason,
    data: { kid: active.kid, alg: active.alg, previousKid: previous?.kid ?? null, nextKid: next.kid, gapFree, publishedSince: gapFree ? (oldNext?.createdAt ?? null) : null },
  });
  if (!gapFree && oldNext) await emitDiscarded(tx, oldNext, actor, 'discarded unused: it was never promoted to sign');
}

export async function emitDiscarded(tx: Tx, key: KeyRow, actor: string, reason: string): Promise<void> {
  await tx.emit({ type: 'key.retired', actor, reason, data: { kid: key.kid, neverSigned: true } });
}

/** An algorithm out of use: its active key is retiring (it verifies until it retires), its next key never signed. */
export async function emitClosed(tx: Tx, closed: Closed[], actor: string): Promise<void> {
  for (const { alg, retiring, discarded } of closed) {
    const reason = `no longer in use: ${alg} signs neither access tokens nor any client's ID tokens`;
    if (retiring) await tx.emit({ type: 'key.retiring', actor, reason, data: { kid: retiring.kid, alg } });
    if (discarded) await emitDiscarded(tx, discarded, actor, reason);
  }
}
