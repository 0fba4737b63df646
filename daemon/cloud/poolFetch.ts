import type { Agent, Dispatcher, fetch as UndiciFetch } from 'undici';

/** Statuses whose Response may carry no body (the Fetch standard's null body status). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** What a fetch over the pool needs of it: a slot (queue, rate token, CLOUD_BUSY), the Agent, the timing metric. */
export interface PoolLease {
  admit(signal?: AbortSignal): Promise<void>;
  release(): void;
  agent(): Promise<Agent>;
  /** undici's own fetch: Node's global fetch is an older undici whose dispatcher interface differs. */
  undiciFetch(): Promise<typeof UndiciFetch>;
  observe(method: string, outcome: string, seconds: number): void;
}

/**
 * A WHATWG fetch whose requests ride the pool's Agent under the pool's limits (the assistant's SDK takes a
 * `fetch`; PROTOCOL §6 "one keep-alive connection pool"). A request holds its slot until its body has been
 * read to the end, cancelled or failed: a streamed answer occupies its connection that long, so the slot
 * must too, or maxConnections would not bound connections. `timeoutMs` replaces the Agent's header and body
 * timeouts (plugins.timeoutMs) for these requests: a model may think longer than a plugin call may last, and
 * its caller has a deadline of its own.
 */
export function poolFetch(pool: PoolLease, options: { timeoutMs?: number } = {}): typeof globalThis.fetch {
  let dispatcher: Dispatcher | null = null;
  const timeouts = options.timeoutMs === undefined ? null : { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs };
  const withTimeouts = (agent: Agent): Dispatcher => {
    if (!timeouts) return agent;
    return agent.compose((dispatch) => (opts, handler) => dispatch({ ...opts, ...timeouts }, handler));
  };
  return (async (input: Parameters<typeof UndiciFetch>[0], init?: Parameters<typeof UndiciFetch>[1]) => {
    const method = (init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET') ?? 'GET').toUpperCase();
    const started = performance.now();
    let settled = false;
    const signal = init?.signal ?? undefined;
    // An aborted request's connection is destroyed by undici; its slot is free then, whether or not anyone reads on.
    const onAbort = (): void => finish('aborted');
    const finish = (outcome: string): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      pool.release();
      pool.observe(method, outcome, (performance.now() - started) / 1000);
    };
    try {
      await pool.admit(signal);
    } catch (err) {
      pool.observe(method, (err as { code?: string }).code === 'CLOUD_BUSY' ? 'busy' : 'error', (performance.now() - started) / 1000);
      throw err;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    let res: Awaited<ReturnType<typeof UndiciFetch>>;
    try {
      const [agent, fetchFn] = await Promise.all([pool.agent(), pool.undiciFetch()]);
      dispatcher ??= withTimeouts(agent);
      res = await fetchFn(input, { ...init, dispatcher });
    } catch (err) {
      finish('error');
      throw err;
    }
    if (!res.body || NULL_BODY.has(res.status)) {
      finish('ok');
      return res;
    }
    // The same response with a body that gives the slot back when it ends, however it ends.
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            // One turn before the slot is given back and the reader sees the end: undici marks the connection
            // free only after it has processed the body's end, and a request sent at once would open a second
            // connection (requestPool.ts's request() waits the same turn).
            await new Promise<void>((resolve) => setImmediate(resolve));
            finish('ok');
            controller.close();
          } else controller.enqueue(value);
        } catch (err) {
          finish('error');
          controller.error(err);
        }
      },
      cancel(reason) {
        finish('ok');
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers as unknown as Headers });
  }) as unknown as typeof globalThis.fetch;
}
