import { describe, expect, it } from 'vitest';
import { dynamoArgs } from '../../../local/stack/emulators.js';

describe('Local stack: DynamoDB Local command line', () => {
  it('keeps the database in memory, or on disk under a path, for every client, and sends no telemetry', () => {
    const memory = dynamoArgs('/jars', 8000);
    expect(memory.slice(memory.indexOf('-jar'))).toEqual(['-jar', '/jars/DynamoDBLocal.jar', '-sharedDb', '-disableTelemetry', '-port', '8000', '-inMemory']);
    const disk = dynamoArgs('/jars', 8001, '/data/dynamodb');
    expect(disk.slice(disk.indexOf('-port'))).toEqual(['-port', '8001', '-dbPath', '/data/dynamodb']);
    expect(disk).toContain('-Djava.library.path=/jars/DynamoDBLocal_lib');
  });
});
