import { ConfigError } from '../../shared/errors.js';
import { stackDown, stackStatus, stackUp } from '../../local/stack/manage.js';
import { stringFlag, type Command } from '../command.js';
import { STACK_PORT_FLAGS, stackPorts } from '../stackFlags.js';

/** `eddy stack up|down|status`. */
export const command: Command = {
  name: 'stack',
  summary: 'Start, stop or inspect the local AWS stack: DynamoDB Local, a Kinesis emulator (kinesalite) and an S3 emulator (s3rver) on loopback, with every stream, table and bucket serverless.yml declares.',
  usage: 'stack up|down|status [options]',
  details: `Subcommands:
  up       start the emulators in the background (if not running) and create the resources
  down     stop them
  status   show endpoints and what each emulator holds

Handlers reach the stack through AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL_DYNAMODB and
AWS_ENDPOINT_URL_S3; 'eddy' commands set them from .eddy/stack.json.`,
  flags: {
    stage: { type: 'string', description: 'serverless.yml stage whose resources to create', default: 'dev' },
    memory: { type: 'boolean', description: 'Keep all data in memory (gone at down) instead of on disk under .eddy/data' },
    fresh: { type: 'boolean', description: 'Delete persisted data before starting' },
    ...STACK_PORT_FLAGS,
  },
  async run(flags, positionals) {
    const [sub] = positionals;
    if (sub === 'up') {
      const result = await stackUp({
        stage: stringFlag(flags, 'stage'),
        persist: flags.memory !== true,
        fresh: flags.fresh === true,
        ports: stackPorts(flags),
      });
      const { endpoints } = result.state;
      process.stdout.write(
        `${result.alreadyRunning ? 'Stack already running' : 'Stack up'} in ${(result.millis / 1000).toFixed(1)} s (${result.state.persist ? `data in ${result.state.dataDir}` : 'in memory'})\n` +
          `  AWS_ENDPOINT_URL_KINESIS=${endpoints.kinesis}\n  AWS_ENDPOINT_URL_DYNAMODB=${endpoints.dynamodb}\n  AWS_ENDPOINT_URL_S3=${endpoints.s3}\n` +
          result.resources.created.map((what) => `  created ${what}\n`).join('') +
          result.resources.existing.map((what) => `  exists  ${what}\n`).join(''),
      );
      return 0;
    }
    if (sub === 'down') {
      process.stdout.write((await stackDown()) ? 'Stack stopped\n' : 'No stack was running\n');
      return 0;
    }
    if (sub === 'status') {
      const status = await stackStatus();
      if (!status) {
        process.stdout.write('No stack is running\n');
        return 1;
      }
      const { state } = status;
      process.stdout.write(
        `Stack running (pid ${state.pid}, stage ${state.stage}, since ${state.startedAt}, ${state.persist ? `data in ${state.dataDir}` : 'in memory'})\n` +
          `  kinesis   ${state.endpoints.kinesis}  streams: ${status.streams.join(', ') || '-'}\n` +
          `  dynamodb  ${state.endpoints.dynamodb}  tables: ${status.tables.join(', ') || '-'}\n` +
          `  s3        ${state.endpoints.s3}  buckets: ${status.buckets.join(', ') || '-'}\n`,
      );
      return 0;
    }
    throw new ConfigError('eddy stack', `expected up, down or status, got '${sub ?? ''}'`);
  },
};
