/**
 * A Node app signing in with openid-client v6 as its README says: discovery, authorization code + PKCE with
 * state and nonce, the code exchange (which checks state, the RFC 9207 `iss`, PKCE and the ID token),
 * userinfo, a refresh, and the end-session URL. The part between the region markers is the snippet
 * docs/sign-in.md shows; a test checks the two are the same text.
 */
// #region openid-client
import * as client from 'openid-client';

export async function discover(issuer: string, clientId: string, clientSecret: string): Promise<client.Configuration> {
  // allowInsecureRequests only because this issuer is plain http on loopback; never with https.
  const insecure = new URL(issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [];
  return client.discovery(new URL(issuer), clientId, clientSecret, undefined, { execute: insecure });
}

/** What to keep in the user's session from the redirect until the browser comes back. */
type Pending = { codeVerifier: string; state: string; nonce: string };
type Tokens = client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;

/** Where to send the browser, and what to keep until it comes back. */
export async function startSignIn(config: client.Configuration, redirectUri: string): Promise<{ url: URL; pending: Pending }> {
  const pending: Pending = { codeVerifier: client.randomPKCECodeVerifier(), state: client.randomState(), nonce: client.randomNonce() };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile',
    code_challenge: await client.calculatePKCECodeChallenge(pending.codeVerifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url, pending };
}

/** At the redirect URI: `currentUrl` is the URL the browser came back to (code, state, iss). */
export async function finishSignIn(config: client.Configuration, currentUrl: URL, pending: Pending): Promise<{ tokens: Tokens; claims: client.IDToken; userinfo: client.UserInfoResponse }> {
  const tokens = await client.authorizationCodeGrant(config, currentUrl, {
    pkceCodeVerifier: pending.codeVerifier,
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims()!; // the validated ID token: iss, aud, exp, nonce, sub, sid, auth_time
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  return { tokens, claims, userinfo };
}

export function refresh(config: client.Configuration, refreshToken: string): Promise<Tokens> {
  return client.refreshTokenGrant(config, refreshToken);
}

/** Sign out everywhere: send the browser here (ends the Token Warden browser session and its app sessions). */
export function signOutUrl(config: client.Configuration, idToken: string, postLogoutRedirectUri: string, state: string): URL {
  return client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: postLogoutRedirectUri, state });
}
// #endregion
