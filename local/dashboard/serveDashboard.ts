import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createDynamoDBDocumentClient } from '../../shared/adapters/clients.js';
import { DynamoDBResultStore } from '../../shared/adapters/DynamoDBResultStore.js';
import { FilePageAssets } from '../../shared/adapters/FilePageAssets.js';
import { SHIPPED_QUERY_NAMES } from '../../shared/aggregate/queries.js';
import { createDashboardApi } from '../../shared/dashboard/api.js';
import { buildDashboardPage } from './buildPage.js';
import { loadDashboardConfig } from '../../shared/dashboard/config.js';
import { ConfigError } from '../../shared/errors.js';
import type { ServerlessModel } from '../serverlessModel.js';
import { startDashboardServer, type DashboardServer } from './server.js';

/** Options of {@link serveDashboard}. */
export interface ServeDashboardOptions {
  readonly model: ServerlessModel;
  /** Where the page is built (`<dir>/dashboard`). */
  readonly stateDir: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** The API key the `/api` routes require. @default a random one per start */
  readonly apiKey?: string;
}

/** A dashboard served locally. */
export interface LocalDashboard extends DashboardServer {
  readonly apiKey: string;
  /** The page's address with the key in its fragment (never sent to the server): open it as is. */
  readonly pageUrl: string;
  /** Bytes of the built page. */
  readonly pageBytes: number;
}

/** A random API key: 32 URL-safe characters (API Gateway's own keys are at least 20). */
export const newApiKey = (): string => randomBytes(24).toString('base64url');

/**
 * Serves the dashboard function of serverless.yml (the function with `http` events) on
 * localhost against the local stack: builds the page, builds the function's API from its own
 * environment (its results table), and serves its routes with API Gateway's key check.
 * @throws ConfigError when serverless.yml declares no function with `http` events
 */
export async function serveDashboard(options: ServeDashboardOptions): Promise<LocalDashboard> {
  const fn = options.model.functions.find((candidate) => candidate.httpEvents.length > 0);
  if (fn === undefined) throw new ConfigError('serverless.yml', 'no function has http events: there is no dashboard to serve');
  const assetsDir = join(options.stateDir, 'dashboard');
  const built = await buildDashboardPage(assetsDir);
  const config = loadDashboardConfig({ ...fn.environment, DASHBOARD_ASSETS: assetsDir });
  const api = createDashboardApi({ results: new DynamoDBResultStore(createDynamoDBDocumentClient(), config.resultsTable), assets: new FilePageAssets(config.assetsDir), queries: SHIPPED_QUERY_NAMES, clock: Date.now });
  const apiKey = options.apiKey ?? newApiKey();
  const server = await startDashboardServer({ routes: fn.httpEvents, api, apiKey, ...(options.port === undefined ? {} : { port: options.port }), ...(options.host === undefined ? {} : { host: options.host }) });
  return { ...server, apiKey, pageUrl: `${server.url}#key=${encodeURIComponent(apiKey)}`, pageBytes: built.bytes };
}
