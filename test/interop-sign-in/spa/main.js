/*
 * A single-page app signing in with oidc-client-ts as its docs say: authorization code + PKCE (its only
 * browser flow), tokens kept by the UserManager, a refresh through signinSilent (which uses the refresh
 * token when the user has one), and signoutRedirect to the end-session endpoint. `window.SPA_CONFIG` is
 * what a real app would hard-code; `window.spa` lets the test press the buttons. The part between the region
 * markers is the snippet docs/sign-in.md shows; a test checks the two are the same text.
 */
/* global window, document, location, history */
const { issuer, clientId } = window.SPA_CONFIG;

// #region oidc-client-ts
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';

const userManager = new UserManager({
  authority: issuer, // Token Warden's issuer; the SPA reads its discovery document, keys and token endpoint
  client_id: clientId, // a public client: PKCE, no secret
  redirect_uri: `${location.origin}/callback`,
  post_logout_redirect_uri: `${location.origin}/`,
  scope: 'openid profile',
  userStore: new WebStorageStateStore({ store: window.sessionStorage }),
});

export const signIn = () => userManager.signinRedirect();
export const completeSignIn = () => userManager.signinRedirectCallback(); // on /callback
export const refresh = () => userManager.signinSilent(); // a refresh-token grant: the refresh token rotates
export const signOut = () => userManager.signoutRedirect(); // ends the Token Warden browser session
// #endregion

function show(text) {
  document.getElementById('status').textContent = text;
}

async function render() {
  const user = await userManager.getUser();
  show(user ? `signed in as ${user.profile.preferred_username ?? user.profile.sub}` : 'signed out');
}

window.spa = {
  signIn,
  signOut,
  user: () => userManager.getUser(),
  async refresh() {
    const user = await refresh();
    await render();
    return user;
  },
};

async function start() {
  try {
    if (location.pathname === '/callback') {
      await completeSignIn();
      history.replaceState(null, '', '/');
    }
    await render();
  } catch (error) {
    show(`error: ${error instanceof Error ? error.message : String(error)}`);
  }
}
void start();
