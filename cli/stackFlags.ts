import type { StackPorts } from '../local/stack/stack.js';
import { numberFlag, type FlagSpec, type Flags } from './command.js';

/** The emulator port flags, shared by every command that starts the local stack. */
export const STACK_PORT_FLAGS: Readonly<Record<string, FlagSpec>> = {
  'kinesis-port': { type: 'string', description: 'Kinesis emulator port', default: '4567' },
  'dynamodb-port': { type: 'string', description: 'DynamoDB Local port', default: '8000' },
  's3-port': { type: 'string', description: 'S3 emulator port', default: '4569' },
};

/** Reads the port flags, naming a bad one. */
export function stackPorts(flags: Flags): StackPorts {
  const port = (name: string): number => numberFlag(flags, name, { min: 1, max: 65535, integer: true }) as number;
  return { kinesis: port('kinesis-port'), dynamodb: port('dynamodb-port'), s3: port('s3-port') };
}

/** The `--shards` flag of the commands that start a stack for one run. */
export const SHARDS_FLAG: Readonly<Record<string, FlagSpec>> = {
  shards: { type: 'string', description: "Shards of every stream on the local stack (default: serverless.yml's params.shards)" },
};

/** Reads `--shards`, naming a bad value; undefined when not given. */
export const stackShards = (flags: Flags): number | undefined => numberFlag(flags, 'shards', { min: 1, max: 64, integer: true });
