// ort_bench.js ORT_DIR MODEL.onnx IDS.json THREADS BATCH: runs ONNX Runtime
// (onnxruntime-node, CPU, fp32) over the id sequences (all the same length)
// in batches, prints tokens/s and the first sequence's mean-pooled vector
// (4 values) for a parity glance. For scripts/bench/embed only.
const [ortDir, modelPath, idsPath, threads, batch] = process.argv.slice(2);
const ort = require(ortDir + '/node_modules/onnxruntime-node');
const fs = require('fs');
(async () => {
  const seqs = JSON.parse(fs.readFileSync(idsPath, 'utf8'));
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential'});
  const T = seqs[0].length, B = Number(batch);
  const pos = new ort.Tensor('int64', BigInt64Array.from({length: T}, (_, i) => BigInt(i)), [1, T]);
  const run = async (from, n) => {
    const ids = new BigInt64Array(n * T);
    for (let b = 0; b < n; b++) for (let t = 0; t < T; t++) ids[b * T + t] = BigInt(seqs[from + b][t]);
    return session.run({input_ids: new ort.Tensor('int64', ids, [n, T]), position_ids: pos});
  };
  const first = (await run(0, 1)).last_hidden_state;  // warm-up, parity
  const H = first.dims[2], mean = [];
  for (let j = 0; j < 4; j++) { let s = 0; for (let t = 0; t < T; t++) s += first.data[t * H + j]; mean.push(s / T); }
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let tokens = 0;
  for (let i = 0; i + B <= seqs.length; i += B) { await run(i, B); tokens += B * T; }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0), cpuSecs = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({tokens_per_s: tokens / secs, tokens_per_cpu_s: tokens / cpuSecs, tokens, secs,
                              cpu_secs: cpuSecs, mean4: mean}));
})();
