/**
 * docs/sign-in.md "From your app" shows three snippets; each must be, character for character, the region
 * of the fixture the sign-in tests run (express-openid-connect, openid-client, oidc-client-ts), so the page
 * cannot show code that was never run. The README's copy of the first is held to the same rule.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { documented, region } from '../interop-sign-in/snippets';

const DOC = path.join(import.meta.dirname, '../../docs/sign-in.md');
const README = path.join(import.meta.dirname, '../../README.md');
const FIXTURES = path.join(import.meta.dirname, '../interop-sign-in');

describe('docs/sign-in.md snippets are the tested fixtures', () => {
  it.each([
    ['express-openid-connect', 'express-app.ts'],
    ['openid-client', 'openid-client-app.ts'],
    ['oidc-client-ts', 'spa/main.js'],
  ])('%s', (name, file) => {
    expect(documented(DOC, name), `docs/sign-in.md has no "<!-- snippet: ${name} -->" block`).toBeDefined();
    expect(documented(DOC, name)).toBe(region(path.join(FIXTURES, file), name));
  });

  it('the README shows the express-openid-connect snippet as tested, too', () => {
    expect(documented(README, 'express-openid-connect')).toBe(region(path.join(FIXTURES, 'express-app.ts'), 'express-openid-connect'));
  });
});
