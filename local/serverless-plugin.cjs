'use strict';
// Serverless Framework v3 plugin: `serverless offline start` also runs every function's Kinesis
// `stream` events against the local stack, beside serverless-offline's HTTP endpoints, with the
// same trigger as `eddy dev`. It only hooks `offline:start`, so `serverless package`, `print` and
// `deploy` are untouched (and still need no credentials).
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

class EddyLocalStreams {
  constructor(serverless, options = {}, { log } = {}) {
    this.serverless = serverless;
    this.options = options;
    this.log = log ?? { notice: console.log, warning: console.warn, error: console.error };
    this.trigger = undefined;
    // serverless-esbuild points serviceDir at its build folder while it runs; keep the project's.
    this.projectDir = serverless.serviceDir ?? serverless.config?.servicePath ?? process.cwd();
    this.hooks = {
      'offline:start:init': () => this.start(),
      'offline:start:end': () => this.stop(),
      'before:invoke:local:invoke': () => this.pointAtStack(),
      // The dashboard function ships the built page (its package.patterns take dashboard/dist).
      'before:package:initialize': () => this.buildDashboard(),
    };
  }

  /** Builds the dashboard page into dashboard/dist, for the dashboard function's package. */
  async buildDashboard() {
    const [{ buildDashboardPage }] = await this.load('dashboard/buildPage.ts');
    const built = await buildDashboardPage(join(this.projectDir, 'dashboard', 'dist'));
    this.log.notice(`eddy: dashboard page built (${built.files.length} files, ${built.bytes} bytes) for the dashboard function`);
  }

  /** Loads the project's TypeScript modules (this process has no TypeScript loader of its own). */
  async load(...paths) {
    const { register } = await import('tsx/esm/api');
    register();
    return Promise.all(paths.map((path) => import(pathToFileURL(join(__dirname, path)).href)));
  }

  /**
   * `serverless invoke local`: point the SDK at the running local stack (the standard
   * AWS_ENDPOINT_URL_* variables), unless EDDY_TARGET=aws or an endpoint is already set.
   */
  async pointAtStack() {
    if (process.env.AWS_ENDPOINT_URL_KINESIS || process.env.EDDY_TARGET === 'aws') return;
    const [{ useLocalStack }] = await this.load('stack/manage.ts');
    try {
      const state = await useLocalStack(this.serviceDir());
      this.log.notice(`eddy: invoking against the local stack (${state.endpoints.kinesis}, ${state.endpoints.dynamodb}, ${state.endpoints.s3})`);
    } catch (error) {
      this.log.warning(`eddy: ${error.message}`);
    }
  }

  serviceDir() {
    return this.projectDir;
  }

  /** The same shape as `serverless print --format json`, which buildServerlessModel reads. */
  printed() {
    const service = this.serverless.service;
    return {
      service: service.service,
      provider: { ...service.provider, stage: this.options.stage ?? service.provider.stage, region: this.options.region ?? service.provider.region },
      functions: service.functions,
      resources: service.resources,
      custom: service.custom,
    };
  }

  async start() {
    if (process.env.EDDY_OFFLINE_STREAMS === 'false') return;
    const [{ useLocalStack }, { buildServerlessModel }, { startTrigger }, { stateDir }] = await this.load('stack/manage.ts', 'serverlessModel.ts', 'trigger/index.ts', 'stack/stackState.ts');
    const cwd = this.serviceDir();
    try {
      await useLocalStack(cwd);
    } catch (error) {
      this.log.warning(`eddy: stream triggers not started: ${error.message}`);
      return;
    }
    const model = buildServerlessModel(this.printed());
    this.trigger = await startTrigger({
      model,
      cwd,
      stateDir: join(stateDir(cwd), 'trigger', model.stage),
      log: (line) => this.log.warning(`eddy: ${line}`),
    });
    this.log.notice(`eddy: Kinesis triggers running for ${this.trigger.functions.join(', ') || 'no function'}`);
  }

  async stop() {
    if (!this.trigger) return;
    const trigger = this.trigger;
    this.trigger = undefined;
    await trigger.stop();
    this.log.notice('eddy: Kinesis triggers stopped, checkpoints saved');
  }
}

module.exports = EddyLocalStreams;
