import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { eventTimeOf } from '../aggregate/eventTime.js';
import type { PageAssets } from '../ports/PageAssets.js';
import { readDashboardView, type ResultReader } from './view.js';

/** What the dashboard API needs. */
export interface DashboardApiDeps {
  readonly results: ResultReader;
  readonly assets: PageAssets;
  /** The queries `GET /api/results/{query}` may read. */
  readonly queries: readonly string[];
  /** The wall clock. */
  readonly clock: () => number;
}

/** The dashboard's HTTP API: an API Gateway (REST, proxy) event in, a response out. */
export type DashboardApi = (event: Pick<APIGatewayProxyEvent, 'httpMethod' | 'path' | 'pathParameters' | 'queryStringParameters' | 'resource'>) => Promise<APIGatewayProxyResult>;

const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  body: JSON.stringify(body),
});

const problem = (statusCode: number, message: string): APIGatewayProxyResult => json(statusCode, { message });

/** Reads an optional `from`/`to` query parameter: a local date-time or date. */
function timeParam(params: Record<string, string | undefined> | null, name: string): number | undefined | Error {
  const raw = params?.[name];
  if (raw === undefined || raw === '') return undefined;
  const ms = eventTimeOf(/^\d{4}-\d{2}-\d{2}$/.test(raw) ? `${raw}T00:00:00` : raw);
  return ms ?? new Error(`${name}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, got '${raw}'`);
}

/**
 * The dashboard API, as the HTTP function of serverless.yml routes it:
 * - `GET /api/dashboard`: everything the page draws ({@link readDashboardView});
 * - `GET /api/results/{query}?from=&to=`: a query's rows (windows starting in `[from, to)`);
 * - `GET /` and `GET /{file}`: the built page.
 * API Gateway checks the API key of the `/api` routes before the function runs (`private: true`).
 */
export function createDashboardApi(deps: DashboardApiDeps): DashboardApi {
  const routes: Readonly<Record<string, DashboardApi>> = {
    '/api/dashboard': async () => json(200, await readDashboardView(deps.results, deps.clock)),
    '/api/results/{query}': async (event) => {
      const query = event.pathParameters?.query ?? '';
      if (!deps.queries.includes(query)) return problem(404, `no query '${query}'; known: ${deps.queries.join(', ')}`);
      const from = timeParam(event.queryStringParameters, 'from');
      const to = timeParam(event.queryStringParameters, 'to');
      if (from instanceof Error || to instanceof Error) return problem(400, (from instanceof Error ? from : (to as Error)).message);
      return json(200, { query, rows: await deps.results.read(query, { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) }) });
    },
    '/': async (event) => page(event.pathParameters?.file ?? 'index.html'),
    '/{file}': async (event) => page(event.pathParameters?.file ?? ''),
  };
  const page = async (name: string): Promise<APIGatewayProxyResult> => {
    const asset = await deps.assets.get(name);
    if (asset === undefined) return problem(404, `no file '${name}'`);
    return { statusCode: 200, headers: { 'content-type': asset.contentType, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }, body: asset.body.toString('utf8') };
  };
  return async (event) => {
    if (event.httpMethod !== 'GET') return problem(405, `${event.httpMethod} is not allowed; the dashboard API is read-only`);
    const route = routes[event.resource];
    return route === undefined ? problem(404, `no route ${event.path}`) : route(event);
  };
}
