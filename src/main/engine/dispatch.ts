/**
 * One dispatcher for every admin transport (HTTP RPC and Electron IPC): the method name and the input
 * arrive as `unknown`, are checked against the shared contract (the caller's role first, then the input),
 * and the handler's result or error comes back as a `Result` — never a thrown exception.
 */
import { adminApi, isAdminMethod, roleAllows, type AdminMethod, type AdminOutput, type AdminRole, type LocalOnlyMethod } from '../../shared/admin-api';
import { WardenError, toErrorInfo, type Result } from '../../shared/errors';
import type { z } from 'zod';

/**
 * Who is calling: audited with every action (`actor`), and allowed what its `role` allows. `actor` is
 * `admin:<username>` for a named admin, `admin:bootstrap` for the bootstrap secret and the one-time link,
 * `admin:desktop` for the desktop app's IPC (both owners, with no admin row: `adminId` null).
 */
export interface ActorContext {
  actor: string;
  role: AdminRole;
  adminId: string | null;
  /** The console session the call came with (null or absent: a bearer key, IPC, a direct call). */
  adminSessionId?: string | null;
  /** The owners require TOTP and this admin has none: only the methods in TOTP_ENROLLMENT_METHODS run. */
  mustEnrollTotp?: boolean;
}

/** An owner calling handlers directly (tests, the demo world, start-up wiring). */
export function ownerContext(actor: string): ActorContext {
  return { actor, role: 'owner', adminId: null };
}

/** What an admin who must enroll TOTP first may still call. */
export const TOTP_ENROLLMENT_METHODS: ReadonlySet<AdminMethod> = new Set<AdminMethod>(['getSignedInAdmin', 'beginAdminTotp', 'confirmAdminTotp', 'changeAdminPassword']);

/**
 * Where dispatch reports a call refused for its role (the engine audits it as `admin.forbidden`): awaited, so the
 * entry has committed before the refusal is answered (on PostgreSQL a read right after runs on another connection).
 */
export const ON_FORBIDDEN: unique symbol = Symbol('onForbidden');

type AdminHandler<M extends AdminMethod> = (input: z.infer<(typeof adminApi)[M]['input']>, ctx: ActorContext) => Promise<AdminOutput<M>>;

/** The engine answers every method but the local-only ones, which the console host adds (src/main/deployments). */
export type AdminHandlers = {
  [M in Exclude<AdminMethod, LocalOnlyMethod>]: AdminHandler<M>;
} & { [M in LocalOnlyMethod]?: AdminHandler<M> } & { [ON_FORBIDDEN]?: (ctx: ActorContext, method: AdminMethod, needed: AdminRole) => Promise<void> | void };

export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'input'}: ${issue.message}`)
    .join('; ');
}

export async function dispatchAdmin(
  handlers: AdminHandlers,
  method: unknown,
  input: unknown,
  ctx: ActorContext,
  onInternalError: (error: unknown) => void = () => {},
): Promise<Result<unknown>> {
  if (!isAdminMethod(method)) {
    return { ok: false, error: { code: 'unknown_method', message: `Unknown admin method: ${String(method).slice(0, 64)}` } };
  }
  // Before the input is looked at: a caller without the role learns nothing from validation messages.
  const needed = adminApi[method].role;
  const enrolling = ctx.mustEnrollTotp === true && !TOTP_ENROLLMENT_METHODS.has(method);
  if (!roleAllows(ctx.role, needed) || enrolling) {
    try {
      await handlers[ON_FORBIDDEN]?.(ctx, method, needed);
    } catch (error) {
      // The refusal stands even if its audit entry could not be written; the fault is reported.
      onInternalError(error);
    }
    const message = enrolling
      ? 'Set up two-factor sign-in (TOTP) first: the owners require it.'
      : `${method} needs the ${needed} role; you are signed in as ${ctx.role}.`;
    return { ok: false, error: { code: 'forbidden', message } };
  }
  const parsed = adminApi[method].input.safeParse(input ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_input', message: `Invalid input for ${method}: ${describeZodError(parsed.error)}` } };
  }
  try {
    const handler = handlers[method] as ((input: unknown, ctx: ActorContext) => unknown) | undefined;
    if (handler === undefined) return { ok: false, error: { code: 'not_found', message: `${method} is answered by the console host, not by this engine.` } };
    const value = await handler(parsed.data, ctx);
    return { ok: true, value };
  } catch (error) {
    if (!(error instanceof WardenError)) onInternalError(error);
    return { ok: false, error: toErrorInfo(error) };
  }
}
