/** Small fetch helpers for the hub's JSON API; errors come back as `{ code, message }` from the body. */
export interface ApiResult<T> {
  status: number;
  body: T | null;
  /** The hub's error body (`code` from docs/ERRORS.md); no code when the hub could not be reached at all. */
  error: { code?: string; reason?: string; message: string } | null;
}

export async function api<T>(path: string, token: string | null, init: { method?: string; body?: unknown } = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  } catch (err) {
    return { status: 0, body: null, error: { message: String((err as Error).message ?? err) } };
  }
  const type = res.headers.get('content-type') ?? '';
  const data: unknown = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (res.ok) return { status: res.status, body: data as T, error: null };
  const error = (data as { error?: ApiResult<T>['error'] } | null)?.error ?? { message: `${res.status} ${res.statusText}` };
  return { status: res.status, body: null, error };
}

/** The scopes in a JWT's payload (read only to decide what to show; the hub checks them on every request). */
export function tokenScopes(token: string): string[] {
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { scope?: unknown };
    return typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
  } catch {
    return [];
  }
}

export function can(scopes: string[], scope: string): boolean {
  return scopes.includes(scope) || scopes.includes('admin');
}
