// A handler that does nothing: the benchmark measures the trigger, not the function.
import type { KinesisStreamEvent } from 'aws-lambda';

export const handler = async (event: KinesisStreamEvent): Promise<{ records: number }> => ({ records: event.Records.length });
