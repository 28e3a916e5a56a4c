/**
 * TOTP enrollment for named admins (area A; the algorithm is ./totp.ts). Enrollment is for one's own account:
 * `beginAdminTotp` hands out a new secret (kept pending), `confirmAdminTotp` turns it on once a code from the
 * authenticator matches; from then on sign-in asks for a code. Removing it is one's own business or an owner's.
 */
import type { AdminInfo } from '../../shared/admin-accounts';
import { WardenError } from '../../shared/errors';
import { recordForbidden, requireAdmin, requireOwnAccount, toAdminInfo } from './admins';
import type { EngineContext } from './context';
import type { ActorContext } from './dispatch';
import { matchTotp, newTotpSecret, otpauthUri } from './totp';

/** The issuer label authenticator apps show: the product and the host it signs in to. */
function issuerLabel(ctx: EngineContext): string {
  const host = URL.parse(ctx.issuer)?.host;
  return host ? `Token Warden (${host})` : 'Token Warden';
}

export async function beginAdminTotp(ctx: EngineContext, who: ActorContext): Promise<{ secret: string; otpauthUri: string }> {
  const admin = await requireOwnAccount(ctx, who);
  const secret = newTotpSecret();
  // Not audited: nothing changes for sign-in until the secret is confirmed (which is).
  await ctx.store.transaction(() => ctx.store.admins.updateAdmin(admin.id, { totpPendingSecret: secret }), { durable: true });
  return { secret, otpauthUri: otpauthUri(secret, issuerLabel(ctx), admin.username) };
}

export async function confirmAdminTotp(ctx: EngineContext, input: { code: string }, who: ActorContext): Promise<{ ok: true }> {
  return ctx.run(async (tx) => {
    const admin = await requireOwnAccount(ctx, who);
    if (admin.totpPendingSecret === null) throw new WardenError('conflict', 'Start TOTP enrollment first (beginAdminTotp).');
    const step = matchTotp(admin.totpPendingSecret, input.code, tx.now, null);
    if (step === null) throw new WardenError('invalid_input', 'The code does not match: check the authenticator app and its clock.');
    await ctx.store.admins.updateAdmin(admin.id, { totpSecret: admin.totpPendingSecret, totpPendingSecret: null, totpLastStep: step });
    await tx.emit({ type: 'admin.totp_enrolled', actor: who.actor, data: { adminId: admin.id, username: admin.username } });
    return { ok: true as const };
  });
}

export async function removeAdminTotp(ctx: EngineContext, input: { adminId: string }, who: ActorContext): Promise<AdminInfo> {
  if (input.adminId !== who.adminId && who.role !== 'owner') throw await recordForbidden(ctx, who, 'removeAdminTotp', 'owner');
  return ctx.run(async (tx) => {
    const admin = await requireAdmin(ctx, input.adminId);
    if (admin.totpSecret === null && admin.totpPendingSecret === null) return toAdminInfo(admin);
    await ctx.store.admins.updateAdmin(admin.id, { totpSecret: null, totpPendingSecret: null, totpLastStep: null });
    await tx.emit({ type: 'admin.totp_removed', actor: who.actor, data: { adminId: admin.id, username: admin.username } });
    return toAdminInfo(await requireAdmin(ctx, admin.id));
  });
}
