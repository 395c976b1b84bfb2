import { optionalEnv, requireEnv } from '../config.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Configuration of the dashboard function, from its environment in serverless.yml. */
export interface DashboardConfig {
  /** The aggregate stage's results table. */
  readonly resultsTable: string;
  /** The folder holding the built page. @default 'dashboard/dist' (relative to the working directory: the Lambda package root) */
  readonly assetsDir: string;
}

/** Reads and checks the dashboard function's variables, naming the one that is wrong. */
export function loadDashboardConfig(env: Env = process.env): DashboardConfig {
  return { resultsTable: requireEnv(env, 'RESULTS_TABLE'), assetsDir: optionalEnv(env, 'DASHBOARD_ASSETS') ?? 'dashboard/dist' };
}
