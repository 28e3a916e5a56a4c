/**
 * The typed admin client, derived from the shared contract: `api.listUsers({...})` resolves to the parsed
 * output or throws an ApiError. Built by looping over ADMIN_METHODS, so a method added to the contract
 * appears here without a line of code.
 */
import { ADMIN_METHODS, adminApi, type AdminClient, type AdminInput, type AdminMethod, type AdminOutput } from '../../shared/admin-api';
import { ApiError } from './api-error';
import { getBridge } from './gateway';

/** Calls one method through the bridge and parses its output with the contract's schema. */
export async function callAdmin<M extends AdminMethod>(method: M, input: AdminInput<M>): Promise<AdminOutput<M>> {
  const result = await getBridge().call(method, input);
  if (!result.ok) throw new ApiError(result.error);
  const parsed = adminApi[method].output.safeParse(result.value);
  if (!parsed.success) {
    console.warn(`admin ${method}: reply does not match the contract`, parsed.error.issues);
    throw new ApiError({ code: 'internal_error', message: `The token service sent an unexpected reply to ${method}.` });
  }
  // The schema lookup is by a generic key, so TypeScript cannot tie its output to M; the parse above did.
  return parsed.data as AdminOutput<M>;
}

function buildClient(): AdminClient {
  const entries = ADMIN_METHODS.map((method) => [method, (input: AdminInput<typeof method>) => callAdmin(method, input)]);
  return Object.fromEntries(entries) as AdminClient;
}

/** `api.<method>(input)`: Promise of the method's output; rejects with ApiError. */
export const api: AdminClient = buildClient();
