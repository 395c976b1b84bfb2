import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { DashboardApi } from '../../shared/dashboard/api.js';
import type { HttpEventSettings } from '../serverlessModel.js';

/** Options of {@link startDashboardServer}. */
export interface DashboardServerOptions {
  /** The function's `http` events, as serverless.yml declares them. */
  readonly routes: readonly HttpEventSettings[];
  /** What answers a routed request: the dashboard function's API. */
  readonly api: DashboardApi;
  /** The key a `private` route requires in `x-api-key`. */
  readonly apiKey: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
}

/** A running local dashboard. */
export interface DashboardServer {
  /** `http://host:port/` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

function decodeSegment(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Matches a path against a route template (`/api/results/{query}`); the path parameters, or undefined. */
export function matchRoute(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const value = got[i] as string;
    const param = /^\{(\w+)\}$/.exec(segment);
    if (param) {
      // A malformed escape (`%E0%A4%A`) matches no route, rather than throwing out of the request handler.
      const decoded = decodeSegment(value);
      if (decoded === undefined) return undefined;
      params[param[1] as string] = decoded;
    } else if (segment !== value) return undefined;
  }
  return params;
}

/** Static routes before parameterized ones, as API Gateway prefers them (`/api` over `/{file}`). */
const specificity = (route: HttpEventSettings): number => -route.path.split('/').filter((segment) => !segment.startsWith('{')).length;

/** Compares bytes, not characters: a same-length key with a non-ASCII character differs in bytes, and timingSafeEqual throws on unequal lengths. */
function keyMatches(given: string | string[] | undefined, key: string): boolean {
  if (typeof given !== 'string') return false;
  const [a, b] = [Buffer.from(given), Buffer.from(key)];
  return a.length === b.length && timingSafeEqual(a, b);
}

/** An answer API Gateway gives itself (not the function's): JSON with a `message`. */
const gatewayAnswer = (statusCode: number, body: { readonly message: string; readonly reason?: string }): APIGatewayProxyResult => ({ statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

function send(response: ServerResponse, result: APIGatewayProxyResult): void {
  const body = result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : Buffer.from(result.body, 'utf8');
  response.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), 'content-length': String(body.length) });
  response.end(body);
}

/**
 * Serves a function's `http` events on localhost as API Gateway (REST, Lambda proxy) does: the
 * route is matched by method and path template, a `private` route answers 403 without the
 * right `x-api-key`, an unknown route answers 403 `Missing Authentication Token`, and the
 * function gets a proxy event (`resource`, `path`, `pathParameters`, `queryStringParameters`).
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const routes = [...options.routes].sort((a, b) => specificity(a) - specificity(b));
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://localhost');
    } catch {
      // A request target Node's parser takes but URL refuses (`//[`): answered, never thrown.
      return send(response, gatewayAnswer(400, { message: 'Bad request target' }));
    }
    const method = request.method ?? 'GET';
    let pathParameters: Record<string, string> | undefined;
    const route = routes.find((candidate) => candidate.method === method && (pathParameters = matchRoute(candidate.path, url.pathname)) !== undefined);
    if (route === undefined) return send(response, gatewayAnswer(403, { message: 'Missing Authentication Token' }));
    if (route.private && !keyMatches(request.headers['x-api-key'], options.apiKey)) return send(response, gatewayAnswer(403, { message: 'Forbidden' }));
    const query = Object.fromEntries(url.searchParams.entries());
    options
      .api({ httpMethod: method, path: url.pathname, resource: route.path, pathParameters: Object.keys(pathParameters ?? {}).length > 0 ? (pathParameters ?? null) : null, queryStringParameters: Object.keys(query).length > 0 ? query : null })
      .then(
        (result) => send(response, result),
        (error: unknown) => send(response, gatewayAnswer(502, { message: 'Internal server error', reason: error instanceof Error ? error.message : String(error) })),
      );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A browser keeps its connection open; end it so close returns at once.
        server.closeAllConnections();
      }),
  };
}
