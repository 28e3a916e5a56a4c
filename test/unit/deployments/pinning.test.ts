import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RemoteAdminClient } from '../../../src/main/deployments/remote-client';
import { fetchCertificate } from '../../../src/main/deployments/remote-transport';
import { normalizeFingerprint } from '../../../src/shared/deployments';
import { selfSignedCertificate, startFakeRemote, type FakeRemote } from './remote-server';

describe('TLS checks and certificate pinning (a self-signed certificate made with openssl)', () => {
  let remote: FakeRemote;
  let fingerprint: string;
  beforeAll(async () => {
    const tls = selfSignedCertificate();
    fingerprint = new X509Certificate(tls.cert).fingerprint256;
    remote = await startFakeRemote({ tls });
  });
  afterAll(() => remote.close());

  const client = (tlsVerify: boolean, pinnedSha256: string | null) => new RemoteAdminClient({ baseUrl: remote.url, tlsVerify, pinnedSha256, apiKey: 'k'.repeat(32) }, 5_000);

  it('fetches the leaf certificate and its SHA-256 fingerprint without trusting it', async () => {
    const cert = await fetchCertificate(remote.url);
    expect(cert.sha256).toBe(fingerprint);
    expect(cert.authorized).toBe(false);
    expect(cert.authorizationError).toMatch(/SELF_SIGNED/);
    expect(cert.subject).toContain('CN=127.0.0.1');
  });

  it('the right pin is accepted (verification off) and the call goes through with the key', async () => {
    const before = remote.requests.length;
    const result = await client(false, fingerprint).call('listUsers', {});
    expect(result).toEqual({ ok: true, value: { from: 'remote', method: 'listUsers' } });
    expect(remote.requests.slice(before)).toEqual([expect.objectContaining({ path: '/admin/rpc/listUsers', authorization: `Bearer ${'k'.repeat(32)}` })]);
  });

  it('a pin without colons or in lower case is the same pin', () => {
    expect(normalizeFingerprint(fingerprint.replace(/:/g, '').toLowerCase())).toBe(fingerprint);
  });

  it('a wrong pin is refused before anything is sent, even with verification off', async () => {
    const before = remote.requests.length;
    const wrong = normalizeFingerprint('00'.repeat(32));
    const result = await client(false, wrong).call('listUsers', {});
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('certificate_mismatch');
      expect(result.error.message).toContain(fingerprint);
    }
    expect(remote.requests.length).toBe(before);
  });

  it('with verification on, an untrusted certificate is refused, pinned or not (a pin adds to the CA check)', async () => {
    const before = remote.requests.length;
    const unpinned = await client(true, null).call('listUsers', {});
    expect(unpinned.ok ? null : unpinned.error.code).toBe('deployment_unreachable');
    const pinned = await client(true, fingerprint).call('listUsers', {});
    expect(pinned.ok ? null : pinned.error.code).toBe('deployment_unreachable');
    expect(remote.requests.length).toBe(before);
  });

  it('the event stream is pinned too', async () => {
    await expect(client(false, normalizeFingerprint('11'.repeat(32))).events(() => {}, () => {})).rejects.toMatchObject({ code: 'certificate_mismatch' });
    let received: (data: string) => void = () => {};
    const arrived = new Promise<string>((resolve) => (received = resolve));
    const stream = await client(false, fingerprint).events((data) => received(data), () => {});
    remote.push({ type: 'user.created' }, 7);
    const data = await arrived;
    stream.close();
    expect(JSON.parse(data)).toEqual({ type: 'user.created' });
  });

  it('a port nobody listens on is deployment_unreachable', async () => {
    const gone = new RemoteAdminClient({ baseUrl: 'http://127.0.0.1:1', tlsVerify: true, pinnedSha256: null, apiKey: 'k'.repeat(32) }, 2_000);
    const result = await gone.call('listUsers', {});
    expect(result.ok ? null : result.error.code).toBe('deployment_unreachable');
  });
});
