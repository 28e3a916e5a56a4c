/**
 * The ceiling: a bare node:http server on 127.0.0.1 answering every request with the same JSON body, shaped
 * and sized like a token response. Reports its port over IPC; exits on SIGTERM or when the parent goes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const body = Buffer.from(
  JSON.stringify({
    access_token: `eyJhbGciOiJFZERTQSIsImtpZCI6ImJlbmNoIiwidHlwIjoiYXQrand0In0.${'e'.repeat(380)}.${'s'.repeat(86)}`,
    token_type: 'Bearer',
    expires_in: 600,
    refresh_token: 'r'.repeat(43),
    scope: 'openid',
  }),
);

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('disconnect', () => process.exit(0));
