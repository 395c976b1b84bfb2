import { GetRecordsCommand, type GetRecordsCommandInput, type GetRecordsCommandOutput, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { FinalizeRequestMiddleware, HttpRequest, MetadataBearer } from '@smithy/types';
import type { Readable } from 'node:stream';
import { text as readText } from 'node:stream/consumers';

/**
 * A record as the trigger reads it: the Kinesis JSON protocol's own shape, its data still
 * base64, as Lambda's event carries it. The SDK's deserializer decoded it to bytes only for the
 * event to encode it again (30,000 records: 615–660 ms of CPU through it, 437–624 ms without;
 * docs/benchmarks.md).
 */
export interface ShardRecord {
  readonly SequenceNumber: string;
  readonly PartitionKey: string;
  /** Seconds since the epoch, with milliseconds. */
  readonly ApproximateArrivalTimestamp: number;
  /** The record's data, base64. */
  readonly Data: string;
}

/** What GetRecords returns, as the protocol has it. */
export interface ShardRecordsPage extends MetadataBearer {
  readonly Records: readonly ShardRecord[];
  readonly NextShardIterator?: string;
  readonly MillisBehindLatest?: number;
}

/** An error response of the JSON protocol: `__type` names the exception (after `#`, if any). */
interface ErrorBody {
  readonly __type?: string;
  readonly message?: string;
  readonly Message?: string;
}

/**
 * Sends the signed request itself and parses the JSON, in place of the SDK's deserializer: the
 * client's endpoint, credentials, signing and retries still apply (this runs inside them).
 */
const rawJson = (kinesis: KinesisClient): FinalizeRequestMiddleware<GetRecordsCommandInput, GetRecordsCommandOutput> => () => async (args) => {
  const { response } = await kinesis.config.requestHandler.handle(args.request as HttpRequest);
  const text = await readText(response.body as Readable);
  const $metadata = { httpStatusCode: response.statusCode };
  if (response.statusCode >= 300) {
    const body = (text === '' ? {} : JSON.parse(text)) as ErrorBody;
    const name = (body.__type ?? `HTTP ${response.statusCode}`).split('#').pop() as string;
    throw Object.assign(new Error(body.message ?? body.Message ?? name), { name, $metadata, $fault: response.statusCode >= 500 ? 'server' : 'client' });
  }
  const page = JSON.parse(text) as Omit<ShardRecordsPage, '$metadata'>;
  const output: ShardRecordsPage = { ...page, Records: page.Records ?? [], $metadata };
  return { response, output: output as unknown as GetRecordsCommandOutput };
};

/**
 * GetRecords through the client, records as {@link ShardRecord} (data left base64).
 * @param kinesis - a client whose request handler is Node's (the emulators' and AWS's HTTP/1.1)
 */
export async function getShardRecords(kinesis: KinesisClient, input: { readonly ShardIterator: string; readonly Limit?: number }): Promise<ShardRecordsPage> {
  const command = new GetRecordsCommand(input);
  // Lowest in the finalize step: after the signer, so the request goes out signed.
  command.middlewareStack.add(rawJson(kinesis), { step: 'finalizeRequest', priority: 'low', name: 'eddyShardRecords' });
  return (await kinesis.send(command)) as unknown as ShardRecordsPage;
}
