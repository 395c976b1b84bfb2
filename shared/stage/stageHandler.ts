import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { publishStageReport } from '../stageMetrics.js';
import { createKinesisStage, type KinesisStageDeps, type StageReport } from './createKinesisStage.js';

/** A Kinesis batch handler that tells `report` its counts. */
export type ReportingStage<R extends StageReport> = (report: (report: R) => void) => (event: KinesisStreamEvent) => Promise<KinesisStreamBatchResponse>;

/**
 * The Lambda handler of any Kinesis-triggered stage: each invocation's counts logged
 * (`batch done`, read by `eddy stats`) and published as EMF metrics, in middy with Powertools'
 * logger and metrics.
 * @param stage - the stage's name (the metrics' service)
 * @param build - builds the batch handler around the report callback
 */
export function createObservedHandler<R extends StageReport>(stage: string, build: ReportingStage<R>): middy.MiddyfiedHandler<KinesisStreamEvent, KinesisStreamBatchResponse> {
  const logger = new Logger();
  const metrics = new Metrics({ namespace: 'eddy', serviceName: stage });
  const handle = build((report) => {
    publishStageReport(metrics, report);
    logger.info('batch done', { ...(report as StageReport) });
  });
  return middy((event: KinesisStreamEvent) => handle(event))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

/**
 * The Lambda handler of a Kinesis-to-Kinesis stage: the stage wiring of
 * {@link createKinesisStage} inside {@link createObservedHandler}.
 * @param deps - the stage's dependencies, without `report` (this sets it)
 */
export function createStageHandler<T, O>(deps: Omit<KinesisStageDeps<T, O>, 'report'>): middy.MiddyfiedHandler<KinesisStreamEvent, KinesisStreamBatchResponse> {
  return createObservedHandler(deps.stage, (report) => createKinesisStage({ ...deps, report }));
}
