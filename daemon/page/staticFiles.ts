import { createHash } from 'node:crypto';
import { access, readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/**
 * The page's files (built by daemon/build/bundlePage.ts into dist/page), served from memory: read and
 * gzipped once, on the first request, not at start (start → listening is what a restart waits for).
 *
 * - `index.html`: `Cache-Control: no-cache` with a strong ETag, so a browser asks every time and gets 304
 *   until a new build; the assets it names carry a content hash in their names and are `immutable`.
 * - gzip when the client accepts it (`Vary: Accept-Encoding`).
 * - A strict Content-Security-Policy: only the hub's own scripts, styles and sockets; no inline script, no
 *   eval, no frames, no plugins, no form posts elsewhere. Device names from MQTT are rendered as text by the
 *   UI library, and the CSP is the second wall if that ever fails.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "media-src 'self' blob:", "worker-src 'self'", "manifest-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

export interface StaticFile {
  type: string;
  body: Buffer;
  gzipped: Buffer | null;
  etag: string;
  immutable: boolean;
}

/** dist/page seen from the bundle (dist/bundle/*.js) or from tsc's output (dist/daemon/page/*.js). */
export async function findPageDir(): Promise<string | null> {
  for (const rel of ['../page/', '../../page/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    try {
      await access(join(dir, 'index.html'));
      return dir;
    } catch {
      // not here
    }
  }
  return null;
}

/** The URL paths of the built files: `/` for index.html, `/assets/<name>` for the rest. */
export async function listPageFiles(dir: string): Promise<Map<string, string>> {
  const paths = new Map<string, string>([['/', join(dir, 'index.html')]]);
  for (const name of await readdir(join(dir, 'assets')).catch(() => [] as string[])) {
    if (TYPES[extname(name)]) paths.set(`/assets/${name}`, join(dir, 'assets', name));
  }
  return paths;
}

/** Name with a content hash (esbuild's `[name]-[hash]`): its bytes never change, so it may be cached for good. */
const HASHED = /-[A-Z0-9]{8}\.[a-z]+$/;

export async function loadStaticFile(path: string): Promise<StaticFile> {
  const body = await readFile(path);
  const type = TYPES[extname(path)] ?? 'application/octet-stream';
  const compressible = !type.startsWith('image/png');
  const gzipped = compressible ? await gzipAsync(body, { level: 9 }) : null;
  return {
    type,
    body,
    gzipped: gzipped && gzipped.length < body.length ? gzipped : null,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    immutable: HASHED.test(path),
  };
}

export function sendStatic(req: IncomingMessage, res: ServerResponse, file: StaticFile): void {
  const headers: Record<string, string | number> = {
    'content-type': file.type,
    etag: file.etag,
    'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    vary: 'Accept-Encoding',
  };
  if (req.headers['if-none-match'] === file.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const useGzip = file.gzipped !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = useGzip ? file.gzipped! : file.body;
  if (useGzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
