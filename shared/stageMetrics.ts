import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { StageReport } from './stage/createKinesisStage.js';

/**
 * Publishes one invocation's counts as CloudWatch metrics (Embedded Metric Format through
 * Powertools Metrics): `RecordsIn`, `RecordsOut`, `RecordsFailed`, `RecordsDuplicate` and
 * `RecordsRejected` per reason, and `RecordsAlreadyPublished` from the stages that report it (dedupe),
 * so in = out + rejected + duplicates + already published + failed can be checked per stage.
 */
export function publishStageReport(metrics: Metrics, report: StageReport): void {
  metrics.addMetric('RecordsIn', MetricUnit.Count, report.in);
  metrics.addMetric('RecordsOut', MetricUnit.Count, report.out);
  metrics.addMetric('RecordsFailed', MetricUnit.Count, report.failed);
  metrics.addMetric('RecordsDuplicate', MetricUnit.Count, report.duplicates);
  if (report.alreadyPublished !== undefined) metrics.addMetric('RecordsAlreadyPublished', MetricUnit.Count, report.alreadyPublished);
  for (const [reason, count] of Object.entries(report.rejected)) {
    const single = metrics.singleMetric();
    single.addDimension('reason', reason);
    single.addMetric('RecordsRejected', MetricUnit.Count, count);
  }
}
