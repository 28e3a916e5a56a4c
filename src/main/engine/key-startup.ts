/**
 * Making sure every algorithm in use (./key-use.ts) has an active and a next key: at open, when a client
 * starts using an algorithm for its ID tokens, and on demand before an ID token is signed. Key generation
 * (RSA takes about 0.1-0.3 s a key) happens here, never on the token endpoint's refresh path.
 */
import type { SigningAlg } from '../../shared/dto';
import { WardenError } from '../../shared/errors';
import type { EngineContext, Tx } from './context';
import { applyPlan, emitClosed, emitDiscarded, emitRotation, pairOf, type Applied, type Done, type Step } from './key-plan';
import { signingAlgsInUse } from './key-use';
import { pinSettings } from './settings';

const SYSTEM = 'system';
/** The events after which a client may name another ID-token algorithm, or start or stop using the code grant. */
const CLIENT_CHANGES = new Set<string>(['client.created', 'client.updated']);

/** A step that gives `alg` a usable pair (both private halves in the vault), with how to audit it; undefined when it has one. */
async function repair(ctx: EngineContext, alg: SigningAlg, created: string): Promise<{ step: Step; emit: (tx: Tx, done: Done) => Promise<void> } | undefined> {
  const { active, next } = await pairOf(ctx.store, alg);
  const hasActive = active !== undefined && ctx.keys.hasPrivate(active.kid);
  const hasNext = next !== undefined && ctx.keys.hasPrivate(next.kid);
  if (!active && !next) {
    return { step: { alg, active: 'keep', next: 'keep' }, emit: (tx, d) => emitRotation(tx, d, SYSTEM, created, false) };
  }
  if (!hasActive) {
    const lost = active ? 'the active private key is missing from the key vault' : 'no active signing key';
    return { step: { alg, active: 'retire', next: hasNext ? 'promote' : 'discard' }, emit: (tx, d) => emitRotation(tx, d, SYSTEM, lost, hasNext) };
  }
  if (hasNext) return undefined;
  const reason = next ? 'the next private key is missing from the key vault' : 'publish the next key ahead of rotation';
  return {
    step: { alg, active: 'keep', next: next ? 'discard' : 'keep' },
    emit: async (tx, d) => {
      await tx.emit({ type: 'key.created', actor: SYSTEM, reason, data: { kid: d.next.kid, alg: d.next.alg, status: 'next' } });
      if (next) await emitDiscarded(tx, next, SYSTEM, 'discarded unused: its private half is missing from the key vault');
    },
  };
}

/** Algorithms that still have an active or a next key. */
async function algsWithPairs(ctx: EngineContext): Promise<Set<SigningAlg>> {
  return new Set((await ctx.store.listKeys()).filter((key) => key.status === 'active' || key.status === 'next').map((key) => key.alg));
}

/**
 * Gives every algorithm in use a usable pair and closes the pairs of algorithms out of use, in one
 * transaction. `extra` runs inside it (the first start records its algorithm). Nothing to do, no transaction.
 */
async function reconcile(ctx: EngineContext, accessAlg: SigningAlg, reasonFor: (alg: SigningAlg) => string, extra?: (tx: Tx) => Promise<void>): Promise<Applied | undefined> {
  const inUse = await signingAlgsInUse(ctx, accessAlg);
  const repairs: NonNullable<Awaited<ReturnType<typeof repair>>>[] = [];
  for (const alg of inUse) {
    const fix = await repair(ctx, alg, reasonFor(alg));
    if (fix) repairs.push(fix);
  }
  const close = [...await algsWithPairs(ctx)].filter((alg) => !inUse.has(alg));
  if (repairs.length === 0 && close.length === 0 && !extra) return undefined;
  return applyPlan(ctx, { steps: repairs.map((r) => r.step), close, ...(extra ? { accessAlg } : {}) }, async (tx, applied) => {
    await extra?.(tx);
    for (const [i, done] of applied.done.entries()) await repairs[i]!.emit(tx, done);
    await emitClosed(tx, applied.closed, SYSTEM);
  });
}

const idTokenReason = (alg: SigningAlg) => `a client's ID tokens are signed with ${alg}`;

/**
 * At open: makes sure a key signs and a next key is published for every algorithm in use. A new install gets
 * a pair of `initialAlg` (which also becomes its setting); an upgraded install, or one whose next key's private
 * half is gone, gets a new next key; a lost active key is replaced by its next one when the vault still has it.
 */
export function ensureSigningKeys(ctx: EngineContext, initialAlg: SigningAlg | undefined): Promise<void> {
  return retryOnConflict(ctx, () => ctx.keys.exclusive(async () => {
    const rows = await ctx.store.listKeys();
    if (rows.length === 0) {
      const alg = initialAlg ?? ctx.settings.signingAlg;
      await ctx.keys.load(alg);
      const pin = async (tx: Tx) => {
        // A new install records its algorithm, so a later change of the built-in default never changes it.
        await pinSettings(ctx.store, { signingAlg: alg });
        tx.afterCommit(() => {
          ctx.settings = { ...ctx.settings, signingAlg: alg };
        });
      };
      await reconcile(ctx, alg, (a) => (a === alg ? 'first start' : idTokenReason(a)), pin);
      return;
    }
    let accessAlg = ctx.settings.signingAlg;
    // Built before algorithm pairs, an install may have its setting name an algorithm that never signed (the
    // setting used to apply at the next rotation): the key that signs keeps signing, and the setting says so.
    const signing = rows.filter((key) => key.status === 'active');
    const adopt = !signing.some((key) => key.alg === accessAlg) && signing.length > 0;
    if (adopt) accessAlg = signing[signing.length - 1]!.alg;
    await ctx.keys.load(accessAlg);
    const from = ctx.settings.signingAlg;
    const record = async (tx: Tx) => {
      await pinSettings(ctx.store, { signingAlg: accessAlg });
      await tx.emit({ type: 'settings.changed', actor: SYSTEM, reason: `${accessAlg} is the algorithm that signs access tokens`, data: { changes: { signingAlg: { from, to: accessAlg } } } });
      tx.afterCommit(() => {
        ctx.settings = { ...ctx.settings, signingAlg: accessAlg };
      });
    };
    await reconcile(ctx, accessAlg, (a) => (a === accessAlg ? 'no active signing key' : idTokenReason(a)), adopt ? record : undefined);
  }));
}

/** Tries to make a fresh key step this many times when other instances keep changing the keys under it. */
const CONFLICT_ATTEMPTS = 3;

/**
 * Several instances starting (or reacting to one client change) at once plan the same key step; the keys lock
 * lets one commit, and the others find the keys changed (`conflict`). Each tries again: its next step re-reads
 * the committed keys first (KeyRing.exclusive) and usually finds nothing left to do. SQLite never conflicts.
 */
async function retryOnConflict(ctx: EngineContext, step: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof WardenError && error.code === 'conflict') || !ctx.store.changes.shared || attempt >= CONFLICT_ATTEMPTS) throw error;
    }
  }
}

/**
 * Resolves once `alg` has an active key (and a next one): at once when it has, otherwise after creating them.
 * For whoever is about to sign an ID or logout token with an algorithm that may be new (a client just
 * registered with it). The pair stays while a client's ID tokens use the algorithm.
 */
export function ensureSigningAlg(ctx: EngineContext, alg: SigningAlg): Promise<void> {
  if (ctx.keys.canSign(alg)) return Promise.resolve();
  return retryOnConflict(ctx, () => ctx.keys.exclusive(async () => {
    const fix = await repair(ctx, alg, idTokenReason(alg));
    if (!fix) return;
    await applyPlan(ctx, { steps: [fix.step], close: [] }, (tx, applied) => fix.emit(tx, applied.done[0]!));
  }));
}

/** Pairs for every algorithm clients now use, and none for those no one uses (after a client changed). */
export function reconcileSigningAlgs(ctx: EngineContext): Promise<void> {
  return retryOnConflict(ctx, () => ctx.keys.exclusive(async () => {
    if (ctx.keys.closed) return;
    await reconcile(ctx, ctx.settings.signingAlg, idTokenReason);
  }));
}

/** True when the algorithms in use and those with pairs differ: cheap, synchronous, no key touched. */
async function outOfStep(ctx: EngineContext): Promise<boolean> {
  const inUse = await signingAlgsInUse(ctx);
  const paired = await algsWithPairs(ctx);
  return inUse.size !== paired.size || [...inUse].some((alg) => !paired.has(alg) || !ctx.keys.canSign(alg));
}

/**
 * After a client's registration commits (created, or its grants or ID-token algorithm changed), creates the
 * pair its algorithm needs, or closes one no client uses any more, in the background: the admin call does
 * not wait for RSA key generation. An ID token signed meanwhile waits in ensureSigningAlg.
 */
export function watchClientAlgorithms(ctx: EngineContext, onError: (error: unknown) => void): () => void {
  return ctx.onEvent((event) => {
    if (!CLIENT_CHANGES.has(event.type)) return;
    // A step cut short by the engine closing (its store is gone) is no fault: the next open reconciles.
    outOfStep(ctx)
      .then((differs) => (differs ? reconcileSigningAlgs(ctx) : undefined))
      .catch((error: unknown) => ctx.keys.closed || onError(error));
  });
}
