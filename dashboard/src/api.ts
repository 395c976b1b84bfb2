import type { DashboardView } from '../../shared/dashboard/viewTypes.js';

/**
 * The dashboard API's one read. The URL is relative on purpose: the page and the API share an
 * origin and a base path (`http://localhost:8787/` locally, `https://…/dev/` on API Gateway).
 */
export const DASHBOARD_URL = 'api/dashboard';

/** How long one request may take before it counts as a network error. @default 10000 ms */
export const REQUEST_TIMEOUT_MS = 10_000;

/** The outcome of one read: the view, a refused key, or an error to show and retry. */
export type FetchResult =
  | { readonly kind: 'ok'; readonly view: DashboardView }
  | { readonly kind: 'refused'; readonly status: number }
  | { readonly kind: 'error'; readonly message: string };

const REFUSED = new Set([401, 403]);

const messageOf = (error: unknown): string =>
  error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError')
    ? 'request timed out'
    : error instanceof Error
      ? error.message
      : String(error);

/**
 * Reads the dashboard view. Never rejects: network failures, timeouts, bad statuses and bad
 * bodies all come back as `{ kind: 'error' }`, so a poll can show them and carry on.
 * @param apiKey - sent as `x-api-key`
 * @param timeoutMs - abort the request after this long
 * @default timeoutMs {@link REQUEST_TIMEOUT_MS}
 */
export async function fetchDashboard(apiKey: string, timeoutMs = REQUEST_TIMEOUT_MS): Promise<FetchResult> {
  try {
    const response = await fetch(DASHBOARD_URL, {
      headers: { 'x-api-key': apiKey, accept: 'application/json' },
      cache: 'no-store',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (REFUSED.has(response.status)) {
      // API Gateway answers an unknown route with 403 too: only `Forbidden` is about the key.
      const message = ((await response.json().catch(() => ({}))) as { message?: unknown }).message;
      if (response.status === 403 && message !== 'Forbidden') return { kind: 'error', message: `API answered 403 ${String(message ?? '')} (open the page's URL with its trailing slash)` };
      return { kind: 'refused', status: response.status };
    }
    if (!response.ok) return { kind: 'error', message: `API answered ${response.status}${response.statusText === '' ? '' : ` ${response.statusText}`}` };
    const view = (await response.json().catch(() => null)) as DashboardView | null;
    if (typeof view !== 'object' || view === null || typeof view.kpi !== 'object') return { kind: 'error', message: 'API answered an unexpected body' };
    return { kind: 'ok', view };
  } catch (error) {
    return { kind: 'error', message: `cannot reach the API: ${messageOf(error)}` };
  }
}
