/**
 * Which algorithms need a signing-key pair: the access-token algorithm (the `signingAlg` setting: access
 * tokens and feed events), and the ID-token algorithm of every client that may get ID tokens (it may use the
 * authorization code grant: only sessions that grant opens have them) or logout tokens (it has a back-channel
 * logout URI: those are signed like its ID tokens, whichever grant opened the session).
 */
import type { SigningAlg } from '../../shared/dto';
import type { EngineContext } from './context';

/** The algorithms clients' ID tokens (and logout tokens) are signed with. */
export async function idTokenAlgs(ctx: EngineContext): Promise<Set<SigningAlg>> {
  const algs = new Set<SigningAlg>();
  for (const client of await ctx.store.listClients()) {
    if (client.grantTypes.includes('authorization_code') || client.backchannelLogoutUri !== null) algs.add(client.idTokenSignedResponseAlg);
  }
  return algs;
}

/** Every algorithm that needs an active and a next key, with `accessAlg` signing access tokens. */
export async function signingAlgsInUse(ctx: EngineContext, accessAlg: SigningAlg = ctx.settings.signingAlg): Promise<Set<SigningAlg>> {
  return new Set([accessAlg, ...await idTokenAlgs(ctx)]);
}
