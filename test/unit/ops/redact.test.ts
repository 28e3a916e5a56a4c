/**
 * redactValue's copy, pinned field by field: the logger calls it on every event (made cheaper for flat
 * request events), so what it keeps, replaces and cuts must stay exactly this.
 */
import { describe, expect, it } from 'vitest';
import { REDACTED, redactValue } from '../../../src/main/ops/redact';

describe('redactValue', () => {
  it('copies a flat event, replacing secret-named fields unless they hold a number, boolean or nothing', () => {
    const event = { method: 'POST', route: '/oauth/token', status: 200, durationMs: 1.5, client: '127.0.0.1', password: 'hunter2', token: 7, secret: true, code: null, apiKey: undefined };
    const copy = redactValue(event);
    expect(copy).toEqual({ method: 'POST', route: '/oauth/token', status: 200, durationMs: 1.5, client: '127.0.0.1', password: REDACTED, token: 7, secret: true, code: null, apiKey: undefined });
    expect(copy).not.toBe(event);
    expect(Object.keys(copy as object)).toEqual(Object.keys(event));
  });

  it('scrubs strings at any depth, in arrays and nested objects', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
    expect(redactValue({ a: { b: [`Bearer abc.def`, { c: `x ${jwt} y` }] }, form: 'grant_type=refresh_token&refresh_token=abc' })).toEqual({
      a: { b: [`Bearer ${REDACTED}`, { c: `x ${REDACTED} y` }] },
      form: `grant_type=refresh_token&refresh_token=${REDACTED}`,
    });
    expect(redactValue(['plain', 3, null])).toEqual(['plain', 3, null]);
  });

  it('turns errors into plain fields', () => {
    const error = Object.assign(new Error('failed with Bearer abc'), { code: 'storage_error' });
    error.stack = 'Error: failed with Bearer abc\n    at here';
    expect(redactValue({ err: error })).toEqual({ err: { type: 'Error', message: `failed with Bearer ${REDACTED}`, errorCode: 'storage_error', stack: `Error: failed with Bearer ${REDACTED}\n    at here` } });
  });

  it('cuts cycles, an object met a second time, and depth past 8', () => {
    const shared = { x: 1 };
    const cyclic: Record<string, unknown> = { name: 'root' };
    cyclic.self = cyclic;
    expect(redactValue({ first: shared, second: shared })).toEqual({ first: { x: 1 }, second: '[…]' });
    expect(redactValue(cyclic)).toEqual({ name: 'root', self: '[…]' });
    expect(redactValue([shared, shared])).toEqual([{ x: 1 }, '[…]']);
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 10; i++) deep = { next: deep };
    let level = redactValue(deep) as Record<string, unknown>;
    for (let i = 0; i < 8; i++) level = level.next as Record<string, unknown>;
    expect(level).toEqual({ next: '[…]' });
  });
});
