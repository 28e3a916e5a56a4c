/** Loopback listeners and a bearer call for the stock middleware apps (Express, Fastify). */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Outcome } from './matrix';

export async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * GET `url` with the token as a bearer. 200 is "accepted"; anything else is a refusal whose error is the
 * body's `error` or `message` (what the app's error handler passed on from the library) and the status.
 */
export async function callWithBearer(url: string, token: string): Promise<Outcome> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  if (response.status === 200) return { accepted: true };
  let error = text;
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown; code?: unknown };
    const message = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : text;
    error = typeof body.code === 'string' && !message.includes(body.code) ? `${body.code}: ${message}` : message;
  } catch {
    // Not JSON: the text itself is the error.
  }
  return { accepted: false, error: `${response.status} ${error}` };
}
