import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { publishStageReport } from '../stageMetrics.js';
import { createKinesisStage, type KinesisStageDeps } from './createKinesisStage.js';

/**
 * The Lambda handler of a Kinesis-to-Kinesis stage: the stage wiring of
 * {@link createKinesisStage}, each invocation's counts logged (`batch done`, read by
 * `eddy stats`) and published as EMF metrics, in middy with Powertools' logger and metrics.
 * @param deps - the stage's dependencies, without `report` (this sets it)
 */
export function createStageHandler<T, O>(deps: Omit<KinesisStageDeps<T, O>, 'report'>): middy.MiddyfiedHandler<KinesisStreamEvent, KinesisStreamBatchResponse> {
  const logger = new Logger();
  const metrics = new Metrics({ namespace: 'eddy', serviceName: deps.stage });
  const stage = createKinesisStage({
    ...deps,
    report: (report) => {
      publishStageReport(metrics, report);
      logger.info('batch done', { ...report });
    },
  });
  return middy((event: KinesisStreamEvent) => stage(event))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}
