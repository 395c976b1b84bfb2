// Dashboard: the live sales page and the JSON API it polls (query results from the results table), behind API Gateway.
import middy from '@middy/core';
import { createDynamoDBDocumentClient } from '../shared/adapters/clients.js';
import { DynamoDBResultStore } from '../shared/adapters/DynamoDBResultStore.js';
import { FilePageAssets } from '../shared/adapters/FilePageAssets.js';
import { SHIPPED_QUERY_NAMES } from '../shared/aggregate/queries.js';
import { createDashboardApi } from '../shared/dashboard/api.js';
import { loadDashboardConfig } from '../shared/dashboard/config.js';

const config = loadDashboardConfig();

/** The Lambda handler: an API Gateway (REST, proxy) request in, JSON or a page file out. */
export const handler = middy(
  createDashboardApi({
    results: new DynamoDBResultStore(createDynamoDBDocumentClient(), config.resultsTable),
    assets: new FilePageAssets(config.assetsDir),
    queries: SHIPPED_QUERY_NAMES,
    clock: Date.now,
  }),
);
