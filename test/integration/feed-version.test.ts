/**
 * The feed format's version: the service announces it (metadata and the stream's header), and the kit refuses
 * a feed of a major it cannot read — clearly (a FeedVersionError naming both versions, state `incompatible`)
 * and closed: it never trusts its local revocation state then, so a token is checked by introspection and a
 * force-logged-out one is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createVerifier, FEED_FORMAT_VERSION, FEED_VERSION_HEADER, FeedVersionError, type FeedState } from '@token-warden/verifier';
import { basicAuth, nextEvent, startTestWarden } from '../helpers/warden';

const AUDIENCE = 'token-warden-api';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The real service, seen through a fetch that can claim another feed version in the stream's header (null:
 * no header) or the metadata.
 */
async function setup(claim: { header?: string | null; metadata?: string }) {
  const t = await startTestWarden({ feedHeartbeatMs: 250 });
  cleanups.push(() => t.close());
  const app = await t.createPublicClient();
  const api = await t.createConfidentialClient();
  const rewrite: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const path = new URL(String(input)).pathname;
    if (path === '/events' && claim.header !== undefined) {
      const headers = new Headers(response.headers);
      if (claim.header === null) headers.delete(FEED_VERSION_HEADER);
      else headers.set(FEED_VERSION_HEADER, claim.header);
      return new Response(response.body, { status: response.status, headers });
    }
    if (path === '/.well-known/oauth-authorization-server' && claim.metadata !== undefined) {
      const metadata = (await response.json()) as Record<string, unknown>;
      return Response.json({ ...metadata, revocation_feed_version: claim.metadata });
    }
    return response;
  };
  const errors: Error[] = [];
  const verifier = createVerifier({ issuer: t.baseUrl, audience: AUDIENCE, clientId: api.clientId, clientSecret: api.clientSecret, fetch: rewrite, reconnectInitialMs: 20, reconnectMaxMs: 100 });
  verifier.on('error', (error) => errors.push(error));
  cleanups.push(() => verifier.stop());
  const user = await t.createUser();
  return { t, app, api, verifier, user, errors, claim };
}

describe('the feed format version', () => {
  it('is announced in the metadata and on the stream', async () => {
    const t = await startTestWarden({ feedHeartbeatMs: 250 });
    cleanups.push(() => t.close());
    const api = await t.createConfidentialClient();
    const metadata = (await (await fetch(`${t.baseUrl}/.well-known/oauth-authorization-server`)).json()) as Record<string, unknown>;
    expect(metadata.revocation_feed_version).toBe(FEED_FORMAT_VERSION);
    expect(FEED_FORMAT_VERSION).toBe('1.1');
    const stream = new AbortController();
    const response = await fetch(`${t.baseUrl}/events`, { headers: { authorization: basicAuth(api.clientId, api.clientSecret) }, signal: stream.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get(FEED_VERSION_HEADER)).toBe(FEED_FORMAT_VERSION);
    stream.abort();
  });

  it('a stream without a version header is read by the metadata, and with neither it is 1.0', async () => {
    for (const claim of [{ header: null, metadata: '1.1' }, { header: null, metadata: undefined }]) {
      const { verifier, errors } = await setup(claim);
      await verifier.start();
      expect(verifier.status().state).toBe('live');
      expect(errors).toEqual([]);
    }
  });

  it('a newer minor is read as usual', async () => {
    const { verifier, errors } = await setup({ header: '1.9', metadata: '1.9' });
    await verifier.start();
    expect(verifier.status().state).toBe('live');
    expect(errors).toEqual([]);
  });

  for (const where of ['header', 'metadata'] as const) {
    it(`a newer major in the ${where} is refused clearly, and the kit fails closed (introspection, never its own state)`, async () => {
      // The stream's header speaks for the stream; the metadata counts where the stream has none.
      const { t, app, verifier, user, errors } = await setup(where === 'header' ? { header: '2.0' } : { header: null, metadata: '2.0' });
      // start() rejects with the reason instead of waiting for a replay it cannot read.
      await expect(verifier.start()).rejects.toBeInstanceOf(FeedVersionError);
      expect(verifier.status().state).toBe('incompatible');
      const error = errors.find((e) => e instanceof FeedVersionError) as FeedVersionError | undefined;
      expect(error).toBeDefined();
      expect(error).toMatchObject({ code: 'feed_version_unsupported', version: '2.0', supported: '1.x' });
      expect(error!.message).toContain('2.0');
      expect(error!.message).toContain('1.x');

      // Introspected, so still right: valid → active, force logout → refused at once.
      const tokens = await t.login(user, app);
      expect(await verifier.verify(tokens.access_token)).toMatchObject({ active: true });
      await t.admin('forceLogout', { userId: user.id });
      expect(await verifier.verify(tokens.access_token)).toMatchObject({ active: false, reason: 'introspection_inactive' });
      expect(verifier.status().state).toBe('incompatible');
    });
  }

  it('goes live again once the service speaks a version it reads', async () => {
    const { verifier, claim } = await setup({ header: '2.0' });
    await expect(verifier.start()).rejects.toBeInstanceOf(FeedVersionError);
    const live = nextEvent<FeedState>((listener) => verifier.on('state', listener), (state) => state === 'live');
    delete claim.header; // the real stream's own header, 1.1, again
    await live;
    await verifier.start();
  });

  it('a version that is not MAJOR.MINOR is refused too', async () => {
    const { verifier, errors } = await setup({ header: 'two' });
    await expect(verifier.start()).rejects.toMatchObject({ code: 'feed_version_unsupported', version: 'two' });
    expect(verifier.status().state).toBe('incompatible');
    expect(errors.find((e) => e instanceof FeedVersionError)).toMatchObject({ code: 'feed_version_unsupported', version: 'two' });
  });
});
