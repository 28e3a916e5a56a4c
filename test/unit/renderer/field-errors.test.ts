import { describe, expect, it } from 'vitest';
import type { ErrorInfo } from '../../../src/shared/errors';
import { loadRenderer } from './load-renderer';

type ApiErrorLike = Error & { code: string };
interface FieldErrorsModule {
  fieldErrors<F extends string>(error: ApiErrorLike | undefined, fields: readonly F[]): { fields: Partial<Record<F, string>>; general: string | null };
}
const { ApiError } = await loadRenderer<{ ApiError: new (info: ErrorInfo) => ApiErrorLike }>('api/api-error.ts');
const { fieldErrors } = await loadRenderer<FieldErrorsModule>('components/field-errors.ts');

const FIELDS = ['username', 'password'] as const;

describe('fieldErrors', () => {
  it('returns nothing without an error', () => {
    expect(fieldErrors(undefined, FIELDS)).toEqual({ fields: {}, general: null });
  });

  it('maps each "field: message" part of a validation message to its field', () => {
    const error = new ApiError({
      code: 'invalid_input',
      message: 'Invalid input for createUser: username: letters, digits and . _ - @ only; password: Too small: expected string to have >=8 characters',
    });
    expect(fieldErrors(error, FIELDS)).toEqual({
      fields: {
        username: 'letters, digits and . _ - @ only',
        password: 'Too small: expected string to have >=8 characters',
      },
      general: null,
    });
  });

  it('keeps parts about unknown fields as the general message, next to the known ones', () => {
    const error = new ApiError({ code: 'invalid_input', message: 'Invalid input for createUser: password: too short; admin: unrecognized key' });
    expect(fieldErrors(error, FIELDS)).toEqual({ fields: { password: 'too short' }, general: 'admin: unrecognized key' });
  });

  it('keeps a message with no field parts whole, as the general message', () => {
    const error = new ApiError({ code: 'conflict', message: 'The username "alice" is taken.' });
    expect(fieldErrors(error, FIELDS)).toEqual({ fields: {}, general: 'The username "alice" is taken.' });
  });

  it('does not match a field name that is only a prefix of the reported path', () => {
    const error = new ApiError({ code: 'invalid_input', message: 'Invalid input for createClient: usernames: bad' });
    expect(fieldErrors(error, FIELDS)).toEqual({ fields: {}, general: 'Invalid input for createClient: usernames: bad' });
  });
});
