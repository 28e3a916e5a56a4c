/**
 * The Python example's checks (docs/feed-recipe.md, sections 4 and 7), against a stand-in service on 127.0.0.1
 * that signs its own access tokens and feed events with a key made here: an event for another client, under
 * another id, of another type or by an unknown key is not applied and the stream is resumed from the last
 * good id; an unknown event name is ignored without a reconnect; and each malformed access token gets its reason.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, pythonMissing, refusedFor, startPythonApi, until, type PythonApi } from '../helpers/python-example';

const missing = pythonMissing();
if (missing) console.warn(`python-feed-sets skipped: ${missing}`);

const CLIENT = { clientId: 'orders-api', clientSecret: 'stand-in-secret' };
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type/session-revoked';
const AUDIENCE = 'token-warden-api';

describe.skipIf(missing !== undefined)('the Python feed example against a stand-in service', () => {
  let issuer = '';
  let key: CryptoKey;
  let stranger: CryptoKey;
  let jwks = '';
  const streams: ServerResponse[] = [];
  const feedRequests: string[] = [];
  const acks: unknown[] = [];
  let api: PythonApi;
  const server = createServer((req, res) => {
    if (req.url === '/.well-known/oauth-authorization-server') {
      const metadata = { issuer, jwks_uri: `${issuer}/jwks`, revocation_feed_endpoint: `${issuer}/events`, revocation_feed_ack_endpoint: `${issuer}/ack`, revocation_feed_version: '1.1' };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(metadata));
    } else if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
    } else if (req.url === '/events') {
      feedRequests.push(String(req.headers['last-event-id']));
      res.writeHead(200, { 'content-type': 'text/event-stream', 'token-warden-feed-version': '1.1' });
      res.write('retry: 1000\n\n');
      streams.push(res);
    } else if (req.url === '/ack') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        acks.push(JSON.parse(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"accepted":1}');
      });
    } else {
      res.writeHead(404).end();
    }
  });

  const now = () => Math.floor(Date.now() / 1000);
  const sign = (claims: JWTPayload, header: Record<string, unknown> = {}, signer = key) =>
    // `crit` names are declared understood so that jose signs them; the example must refuse any.
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'secevent+jwt', ...header }).sign(signer, { crit: { ext: true } });
  const revocationSet = (jti: string, subject: Record<string, unknown>, claims: JWTPayload = {}) =>
    sign({ iss: issuer, aud: CLIENT.clientId, iat: now(), jti, events: { [CAEP]: { subject: { format: 'opaque', ...subject }, event_timestamp: now(), initiating_entity: 'admin' } }, ...claims });
  const accessToken = (claims: JWTPayload = {}, header: Record<string, unknown> = {}) =>
    sign({ iss: issuer, sub: 'usr_1', aud: AUDIENCE, iat: now(), exp: now() + 600, jti: `at_${Math.random()}`, sid: `ses_${Math.random()}`, client_id: 'app', ...claims }, { typ: 'at+jwt', ...header });
  const message = (id: number, set: string) => `id: ${id}\nevent: revocation\ndata: ${set}\n\n`;
  const connected = (count: number) => until(() => feedRequests.length, (n) => n >= count, `feed connection ${count}`);

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    key = pair.privateKey;
    jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' }] });
    // Not in the JWKS: what it signs must never be applied.
    stranger = (await generateKeyPair('ES256')).privateKey;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    api = await startPythonApi(issuer, CLIENT, 30);
    await connected(1);
    streams[0]!.write(': ready 0\n\n');
    await until(() => call(api, '/health'), (r) => r.body.feed === 'live', 'the feed goes live');
  });

  afterAll(async () => {
    api?.child.kill('SIGTERM');
    for (const stream of streams) stream.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('applies an event only when every check holds, resuming from the last good id after a bad one', async () => {
    const token = await accessToken({ jti: 'at_victim' });
    expect((await call(api, '/hello', token)).status).toBe(200);
    const bad = [
      await revocationSet('1', { kind: 'jti', id: 'at_victim', exp: Date.now() + 600_000, user_id: 'usr_1' }, { aud: 'another-api' }),
      await revocationSet('2', { kind: 'jti', id: 'at_victim', exp: Date.now() + 600_000, user_id: 'usr_1' }),
      await sign({ iss: issuer, aud: CLIENT.clientId, iat: now(), jti: '1', events: {} }, { typ: 'JWT' }),
      await sign({ iss: issuer, aud: CLIENT.clientId, iat: now(), jti: '1', events: {} }, { kid: 'k9' }, stranger),
    ];
    for (const [index, set] of bad.entries()) {
      streams[index]!.write(message(1, set));
      await connected(index + 2);
      // Refused, not skipped: the next connection asks again from the last good id.
      expect(feedRequests[index + 1]).toBe('0');
      expect((await call(api, '/hello', token)).status).toBe(200);
    }
    const good = streams[bad.length]!;
    good.write(message(1, await revocationSet('1', { kind: 'jti', id: 'at_victim', exp: Date.now() + 600_000, user_id: 'usr_1' })) + ': ready 1\n\n');
    await until(() => call(api, '/hello', token), refusedFor('jti_revoked'), 'the good event is applied');
    await until(() => acks, (list) => list.some((ack) => JSON.stringify(ack).includes('"ids":[1]')), 'its acknowledgement');

    // An event name this code does not know is skipped on the same connection; the next event still applies.
    const other = await accessToken({ sid: 'ses_other' });
    good.write('event: something-new\ndata: {}\n\n' + message(2, await revocationSet('2', { kind: 'session', id: 'ses_other', user_id: 'usr_1' })));
    await until(() => call(api, '/hello', other), refusedFor('session_revoked'), 'the session event after it');
    expect(feedRequests).toHaveLength(bad.length + 1);
  });

  it('gives each malformed access token its reason', async () => {
    const cases: Array<[string, () => Promise<string>]> = [
      ['wrong_typ', () => accessToken({}, { typ: 'secevent+jwt' })],
      ['wrong_audience', () => accessToken({ aud: 'another-api' })],
      ['wrong_issuer', () => accessToken({ iss: 'http://127.0.0.1:1' })],
      ['expired', () => accessToken({ exp: now() - 60 })],
      ['malformed', () => accessToken({ sid: 42 })],
      ['malformed', () => accessToken({}, { crit: ['ext'], ext: 1 })],
      // Padding makes a second spelling of the same signature.
      ['malformed', async () => `${await accessToken()}=`],
      ['unsupported_alg', async () => `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1', typ: 'at+jwt' })).toString('base64url')}.${(await accessToken()).split('.').slice(1).join('.')}`],
      ['unknown_kid', () => accessToken({}, { kid: 'k9' })],
    ];
    for (const [reason, token] of cases) expect(await call(api, '/hello', await token()), reason).toMatchObject({ status: 401, body: { reason } });
    expect((await call(api, '/hello', await accessToken())).status).toBe(200);
  });
});
