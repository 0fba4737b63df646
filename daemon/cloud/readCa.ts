import { readFile } from 'node:fs/promises';
import { rootCertificates } from 'node:tls';
import { HubError } from '../core/errors.js';

/**
 * `cloud.ca` as the list of CAs to trust: Node's own plus that PEM (a `ca` option replaces Node's list unless
 * they are passed along). null when unset. An unreadable file rejects with CLOUD_TLS.
 */
export async function readCa(path: string | null): Promise<string[] | null> {
  if (!path) return null;
  try {
    return [...rootCertificates, await readFile(path, 'utf8')];
  } catch (err) {
    throw new HubError('CLOUD_TLS', `cloud.ca ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}
