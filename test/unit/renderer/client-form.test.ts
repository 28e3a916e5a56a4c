/**
 * The client dialog's form logic: URI lines become the lists sent, the password grant leaves with a confidential
 * kind, and the server's validation message lands under the field it concerns — naming the URI that is wrong.
 */
import { describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../../../src/shared/errors';
import { loadRenderer } from './load-renderer';

type ApiErrorLike = Error & { code: string };
type Grant = 'authorization_code' | 'refresh_token' | 'password';
interface Form {
  clientId: string;
  name: string;
  kind: 'public' | 'confidential';
  redirectUris: string;
  postLogoutRedirectUris: string;
  backchannelLogoutUri: string;
  grantTypes: Grant[];
  idTokenSignedResponseAlg: string;
  accessTokenTtlSeconds: string;
  refreshIdleSeconds: string;
  refreshAbsoluteSeconds: string;
}
interface ClientFormModule {
  emptyForm(): Form;
  uriLines(text: string): string[];
  withGrant(grants: Grant[], grant: Grant, on: boolean): Grant[];
  createInput(form: Form): Record<string, unknown>;
  updateInput(form: Form): Record<string, unknown>;
  clientFieldErrors(error: ApiErrorLike | undefined, sent?: { redirectUris?: string[]; postLogoutRedirectUris?: string[] }): { fields: Record<string, string>; general: string | null };
  lifetimeProblems(form: Form): Record<string, string>;
  describeSeconds(text: string): string | undefined;
}
const { ApiError } = await loadRenderer<{ ApiError: new (info: ErrorInfo) => ApiErrorLike }>('api/api-error.ts');
const form = await loadRenderer<ClientFormModule>('features/clients/client-form.ts');

describe('client form', () => {
  it('sends the URI lines without blank lines or surrounding space, and an empty back-channel URI as none', () => {
    const input = form.createInput({
      ...form.emptyForm(),
      clientId: ' notes ',
      name: ' Notes ',
      redirectUris: 'https://notes.example.com/cb\n\n  http://127.0.0.1:3000/cb  \n',
      postLogoutRedirectUris: '',
      backchannelLogoutUri: '   ',
    });
    expect(input).toEqual({
      clientId: 'notes',
      kind: 'public',
      name: 'Notes',
      redirectUris: ['https://notes.example.com/cb', 'http://127.0.0.1:3000/cb'],
      postLogoutRedirectUris: [],
      backchannelLogoutUri: null,
      grantTypes: ['authorization_code', 'refresh_token'],
      idTokenSignedResponseAlg: 'RS256',
      accessTokenTtlSeconds: null,
      refreshIdleSeconds: null,
      refreshAbsoluteSeconds: null,
    });
    // An update sends the whole registration, and never the kind.
    expect(form.updateInput({ ...form.emptyForm(), clientId: 'notes', name: 'Notes' })).not.toHaveProperty('kind');
  });

  it('lifetimes: empty is the install setting (null), a number is sent as one, anything else is caught here in plain words', () => {
    const typed = { ...form.emptyForm(), clientId: 'notes', name: 'Notes', accessTokenTtlSeconds: ' 120 ', refreshIdleSeconds: '', refreshAbsoluteSeconds: '1.5' };
    expect(form.updateInput(typed)).toMatchObject({ accessTokenTtlSeconds: 120, refreshIdleSeconds: null, refreshAbsoluteSeconds: 1.5 });
    expect(form.lifetimeProblems(typed)).toEqual({ refreshAbsoluteSeconds: 'A whole number of seconds, or empty for the install setting' });
    expect(form.lifetimeProblems({ ...typed, refreshAbsoluteSeconds: 'two hours' })).toHaveProperty('refreshAbsoluteSeconds');
    expect(form.lifetimeProblems({ ...typed, refreshAbsoluteSeconds: '7200' })).toEqual({});
    expect([form.describeSeconds('120'), form.describeSeconds('90061'), form.describeSeconds(''), form.describeSeconds('x')]).toEqual(['2 min', '1 d 1 h 1 min 1 s', undefined, undefined]);
    // The server's verdict on a lifetime lands under its field.
    const error = new ApiError({ code: 'invalid_input', message: 'Invalid input for updateClient: refreshIdleSeconds: the idle lifetime cannot be longer than the absolute one' });
    expect(form.clientFieldErrors(error).fields).toEqual({ refreshIdleSeconds: 'the idle lifetime cannot be longer than the absolute one' });
  });

  it('keeps grants in one order whatever order they are ticked in', () => {
    expect(form.withGrant(['refresh_token'], 'password', true)).toEqual(['refresh_token', 'password']);
    expect(form.withGrant(['password', 'refresh_token'], 'authorization_code', true)).toEqual(['authorization_code', 'refresh_token', 'password']);
    expect(form.withGrant(['authorization_code', 'refresh_token', 'password'], 'password', false)).toEqual(['authorization_code', 'refresh_token']);
  });

  it('puts each part of a validation message under its field, naming the URI a list entry is about', () => {
    const error = new ApiError({
      code: 'invalid_input',
      message: 'Invalid input for createClient: redirectUris.1: no fragment (#); redirectUris.2: listed twice; backchannelLogoutUri: must use https; grantTypes: the password grant is only for public clients',
    });
    const sent = { redirectUris: ['https://a.example/cb', 'https://a.example/cb#x', 'https://a.example/cb'] };
    expect(form.clientFieldErrors(error, sent)).toEqual({
      fields: {
        redirectUris: 'https://a.example/cb#x: no fragment (#); https://a.example/cb: listed twice',
        backchannelLogoutUri: 'must use https',
        grantTypes: 'the password grant is only for public clients',
      },
      general: null,
    });
  });

  it('shows a taken client id under the id, and anything else as a general error', () => {
    expect(form.clientFieldErrors(new ApiError({ code: 'conflict', message: 'The client id "web" is taken.' }))).toEqual({ fields: { clientId: 'The client id "web" is taken.' }, general: null });
    expect(form.clientFieldErrors(new ApiError({ code: 'storage_error', message: 'The disk is full.' }))).toEqual({ fields: {}, general: 'The disk is full.' });
    const unknown = new ApiError({ code: 'invalid_input', message: 'Invalid input for createClient: input: Unrecognized key: "secret"' });
    expect(form.clientFieldErrors(unknown)).toEqual({ fields: {}, general: 'Invalid input for createClient: input: Unrecognized key: "secret"' });
    expect(form.clientFieldErrors(undefined)).toEqual({ fields: {}, general: null });
  });
});
