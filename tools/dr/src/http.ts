/** One HTTP GET: injected, so tests never send a request anywhere. */
export type HttpGet = (url: string, timeoutMs: number) => Promise<{ status: number; body: string }>;

/** The real one: fetch with a deadline, following redirects (HTTP to HTTPS). */
export const fetchGet: HttpGet = async (url, timeoutMs) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: response.status, body: await response.text() };
};
