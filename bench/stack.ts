// Local stack start time: emulators up and every serverless.yml resource created, in process,
// on free ports, in memory. Run: npx tsx bench/stack.ts [runs]
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { loadServerlessModel } = await import('../local/loadServerlessModel.js');
const { freePort } = await import('../local/stack/emulators.js');
const { stackClients } = await import('../local/stack/manage.js');
const { createResources } = await import('../local/stack/resources.js');
const { startStack } = await import('../local/stack/stack.js');

const runs = Number(process.argv[2] ?? 3);
const printStarted = performance.now();
const model = await loadServerlessModel();
console.log(`serverless print (cached after the first run): ${((performance.now() - printStarted) / 1000).toFixed(2)} s`);
const times: { up: number; resources: number }[] = [];
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  const stack = await startStack({ persist: false, dataDir: '', region: model.region, ports: { kinesis: await freePort(), dynamodb: await freePort(), s3: await freePort() } });
  const up = performance.now();
  await createResources(model, stackClients(stack.endpoints, model.region));
  const done = performance.now();
  times.push({ up: (up - started) / 1000, resources: (done - up) / 1000 });
  await stack.stop();
}
for (const [i, t] of times.entries()) console.log(`run ${i + 1}: emulators up ${t.up.toFixed(2)} s + ${model.streams.length} streams, ${model.tables.length} tables, ${model.buckets.length} bucket ${t.resources.toFixed(2)} s = ${(t.up + t.resources).toFixed(2)} s   goal < 15 s`);
