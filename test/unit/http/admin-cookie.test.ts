/** The admin session cookie's attributes and the CSRF token derived from it. */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/main/engine/clock';
import type { AdminAccess } from '../../../src/main/engine/admin-access';
import { AdminAuth, csrfTokenFor, readCookie } from '../../../src/main/http/admin-auth';

const auth = (issuer: string, clock = new ManualClock(0)) => new AdminAuth({ clock, adminTokenHash: null, port: 7777, issuer, access: {} as AdminAccess });

describe('admin session cookie', () => {
  it('is HttpOnly, SameSite=Strict, scoped to /admin, lasts the absolute lifetime, and is Secure behind https', () => {
    const clock = new ManualClock(1_000);
    expect(auth('http://127.0.0.1:7777', clock).sessionCookie({ token: 'abc', absoluteExpiresAt: 1_000 + 3_600_000 })).toBe('tw_admin=abc; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=3600');
    expect(auth('https://auth.example.com', clock).sessionCookie({ token: 'abc', absoluteExpiresAt: 1_000 + 3_600_000 })).toBe('tw_admin=abc; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=3600; Secure');
    expect(auth('https://auth.example.com').sessionCookie(null)).toBe('tw_admin=; HttpOnly; SameSite=Strict; Path=/admin; Max-Age=0; Secure');
  });

  it('is read from a Cookie header among others; the CSRF token is fixed per cookie and differs between cookies', () => {
    const req = { headers: { cookie: 'tw_signin=zzz; tw_admin=abc ; other=1' } } as unknown as IncomingMessage;
    expect(readCookie(req, 'tw_admin')).toBe('abc');
    expect(readCookie({ headers: {} } as IncomingMessage, 'tw_admin')).toBeUndefined();
    expect(csrfTokenFor('abc')).toBe(csrfTokenFor('abc'));
    expect(csrfTokenFor('abc')).not.toBe(csrfTokenFor('abd'));
    expect(csrfTokenFor('abc')).not.toContain('abc');
  });
});
