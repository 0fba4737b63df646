import { readFile, stat } from 'node:fs/promises';
import { HubError } from '../core/errors.js';

/**
 * The operating system's CA bundle, where distributions keep it (Debian and Raspberry Pi OS, Fedora, Alpine):
 * Node 20 trusts only its own compiled-in list, while a user (or an installer's company) adds roots to the
 * system's. Node 22's `tls.getCACertificates('system')` is not on the Pi's Node yet.
 */
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];
/** A bundle is a few hundred KB; anything far larger at that path is not one. */
const MAX_BUNDLE_BYTES = 4 * 1024 * 1024;

async function systemBundle(): Promise<string | null> {
  for (const path of SYSTEM_BUNDLES) {
    try {
      if ((await stat(path)).size > MAX_BUNDLE_BYTES) continue;
      return await readFile(path, 'utf8');
    } catch {
      // not on this system: try the next place
    }
  }
  return null;
}

/**
 * The CAs the cloud link and the request pool trust for `wss://` and `https://`: Node's own, the system's
 * bundle, and `cloud.ca` (a private CA's PEM). A `ca` option replaces Node's list, so all are passed along.
 * null when there is nothing beyond Node's own. An unreadable `cloud.ca` rejects with CLOUD_TLS.
 */
export async function readCa(path: string | null): Promise<string[] | null> {
  // node:tls loads here, at the first cloud connection, not with the start path (5-12 ms of a start's CPU).
  const { rootCertificates } = await import('node:tls');
  const system = await systemBundle();
  if (!path) return system ? [...rootCertificates, system] : null;
  try {
    return [...rootCertificates, ...(system ? [system] : []), await readFile(path, 'utf8')];
  } catch (err) {
    throw new HubError('CLOUD_TLS', `cloud.ca ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { cause: err });
  }
}
