/** File-system failures as coded errors an operator can act on (the data directory, the admin token file). */
import { WardenError } from '../shared/errors';

/** Names the cause of a file-system failure (permissions, disk full, I/O); the errno text stays in `detail`. */
export function fsFailure(error: unknown, what: string): WardenError {
  const code = (error as NodeJS.ErrnoException).code;
  const detail = error instanceof Error ? error.message : String(error);
  const cause =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'permission denied: check that this user may read and write the data directory'
      : code === 'ENOSPC' || code === 'EDQUOT'
        ? 'the disk is full'
        : code === 'EIO'
          ? 'an I/O error: the disk may be failing'
          : `${code ?? 'unexpected error'}`;
  return new WardenError('storage_error', `${what}: ${cause}.`, { detail });
}
