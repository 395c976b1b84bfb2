// Starts one in-memory local stack (DynamoDB Local, kinesalite, s3rver) on free ports for the
// whole suite and points every test worker's AWS SDK at it through the standard variables.
import type { TestProject } from 'vitest/node';
import { freePort } from '../../local/stack/emulators.js';
import { stackEnv, startStack } from '../../local/stack/stack.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const region = 'ap-northeast-2';
  const ports = { kinesis: await freePort(), dynamodb: await freePort(), s3: await freePort() };
  const stack = await startStack({ persist: false, dataDir: '', ports, region });
  const env = stackEnv(stack.endpoints, region);
  Object.assign(process.env, env);
  project.provide('stackEnv', env);
  project.provide('s3Directory', stack.s3Directory);
  return () => stack.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
    /** The suite's s3rver store. */
    s3Directory: string;
  }
}
