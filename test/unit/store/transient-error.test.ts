/**
 * Deadlock and serialization failures (PostgreSQL 40P01, 40001) are TransientStoreErrors: still storage_error
 * with the same message to a caller that does not retry, and re-run by rerunTransient a bounded number of
 * times; every other failure is thrown at once, never re-run.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { toPgStoreError } from '../../../src/main/store/pg/db';
import { isTransientStoreError, rerunTransient, TRANSIENT_ATTEMPTS, TransientStoreError } from '../../../src/main/store/transient-error';
import { WardenError } from '../../../src/shared/errors';

function serverError(code: string, message: string): pg.DatabaseError {
  const error = new pg.DatabaseError(message, message.length, 'error');
  error.code = code;
  return error;
}

describe('transient store errors', () => {
  it('classifies a deadlock and a serialization failure as transient storage errors, and nothing else', () => {
    for (const code of ['40P01', '40001']) {
      const mapped = toPgStoreError(serverError(code, 'deadlock detected'));
      expect(isTransientStoreError(mapped)).toBe(true);
      expect(mapped).toMatchObject({ code: 'storage_error', message: 'The database is busy; try again.', detail: `${code}: deadlock detected` });
    }
    for (const code of ['55P03', '57014', '23505', '25P02']) expect(isTransientStoreError(toPgStoreError(serverError(code, 'x')))).toBe(false);
    expect(isTransientStoreError(new WardenError('storage_error', 'The database is busy; try again.'))).toBe(false);
  });

  it('re-runs a transaction while it fails transiently, at most TRANSIENT_ATTEMPTS times in all', async () => {
    let runs = 0;
    await expect(rerunTransient(async () => {
      runs += 1;
      if (runs < TRANSIENT_ATTEMPTS) throw new TransientStoreError('The database is busy; try again.', '40P01: deadlock detected');
      return 'committed';
    })).resolves.toBe('committed');
    expect(runs).toBe(TRANSIENT_ATTEMPTS);

    runs = 0;
    const always = new TransientStoreError('The database is busy; try again.', '40P01: deadlock detected');
    await expect(rerunTransient(async () => {
      runs += 1;
      throw always;
    })).rejects.toBe(always);
    expect(runs).toBe(TRANSIENT_ATTEMPTS);
  });

  it('never re-runs any other failure', async () => {
    let runs = 0;
    const refusal = new WardenError('storage_error', 'A database statement ran past the statement timeout and was cancelled.');
    await expect(rerunTransient(async () => {
      runs += 1;
      throw refusal;
    })).rejects.toBe(refusal);
    expect(runs).toBe(1);
  });
});
