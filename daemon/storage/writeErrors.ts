/** Failed writes in words a user acts on (shared by the storage subsystem and `voicehub doctor`). */

export const isDiskFull = (err: unknown): boolean => ['ENOSPC', 'EDQUOT'].includes((err as NodeJS.ErrnoException)?.code ?? '');

/** A full, read-only or failing disk: no permission change fixes these, so the advice must not say so. */
export const isDiskProblem = (err: unknown): boolean => ['ENOSPC', 'EDQUOT', 'EROFS', 'EIO'].includes((err as NodeJS.ErrnoException)?.code ?? '');

/** The cause of a failed write in words a user acts on: a full disk is not a permissions problem. */
export function describeWriteError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const message = (err as Error)?.message ?? String(err);
  if (code === 'ENOSPC') return `disk full (ENOSPC): free space on the data dir's file system`;
  if (code === 'EDQUOT') return `disk quota exceeded (EDQUOT): free space or raise the quota`;
  if (code === 'EROFS') return `read-only file system (EROFS): remount it read-write`;
  if (code === 'EACCES' || code === 'EPERM') return `not writable (${code}): fix its permissions or set VOICEHUB_DATA_DIR`;
  if (code === 'EIO') return `I/O error (EIO): the storage device may be failing`;
  return message;
}
