/** Fake companions for the API client's tests: a router of canned answers, or one that never answers. */

export type Route = (url: string, init: RequestInit) => { status: number; body: unknown } | 'network' | 'hang';

/** Answers each request from `route`; 'network' fails as a refused connection, 'hang' never answers. */
export function fakeFetch(route: Route): typeof fetch {
  return (async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const r = route(String(input), init);
    if (r === 'network') throw new TypeError('Failed to fetch');
    if (r === 'hang') return hang(init.signal);
    return new Response(JSON.stringify(r.body), { status: r.status });
  }) as typeof fetch;
}

/** A companion that took the request and never answers: rejects only when the caller aborts. */
export const hangingFetch = (): typeof fetch => fakeFetch(() => 'hang');

const hang = (signal: AbortSignal | null | undefined) =>
  new Promise<Response>((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
