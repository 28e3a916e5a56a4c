/**
 * One dispatcher for every admin transport (HTTP RPC and Electron IPC): the method name and the input
 * arrive as `unknown`, are checked against the shared contract, and the handler's result or error comes
 * back as a `Result` — never a thrown exception.
 */
import { adminApi, isAdminMethod, type AdminMethod, type AdminOutput } from '../../shared/admin-api';
import { WardenError, toErrorInfo, type Result } from '../../shared/errors';
import type { z } from 'zod';

/** Who is calling: audited with every action. */
export interface ActorContext {
  actor: string;
}

export type AdminHandlers = {
  [M in AdminMethod]: (input: z.infer<(typeof adminApi)[M]['input']>, ctx: ActorContext) => Promise<AdminOutput<M>> | AdminOutput<M>;
};

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
  const parsed = adminApi[method].input.safeParse(input ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid_input', message: `Invalid input for ${method}: ${describeZodError(parsed.error)}` } };
  }
  try {
    const handler = handlers[method] as (input: unknown, ctx: ActorContext) => unknown;
    const value = await handler(parsed.data, ctx);
    return { ok: true, value };
  } catch (error) {
    if (!(error instanceof WardenError)) onInternalError(error);
    return { ok: false, error: toErrorInfo(error) };
  }
}
