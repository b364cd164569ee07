// ort_cross_bench.js ORT_DIR MODEL.onnx PAIRS.json THREADS BATCH: runs ONNX
// Runtime (onnxruntime-node, CPU, fp32) over query-passage pairs
// ({"ids": [...], "types": [...]} each, special tokens included) in batches
// of BATCH, each padded to its longest pair with an attention mask (how
// cross-encoders are run), and prints pairs/s, tokens/s (real tokens, not
// padding) and the first 4 logits for a parity glance. For
// scripts/bench/rerank only.
const [ortDir, modelPath, pairsPath, threads, batch] = process.argv.slice(2);
const ort = require(ortDir + '/node_modules/onnxruntime-node');
const fs = require('fs');
(async () => {
  const pairs = JSON.parse(fs.readFileSync(pairsPath, 'utf8'));
  const session = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: Number(threads), interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential'});
  const B = Number(batch);
  const run = async (from, n) => {
    let T = 0;
    for (let b = 0; b < n; b++) T = Math.max(T, pairs[from + b].ids.length);
    const ids = new BigInt64Array(n * T), types = new BigInt64Array(n * T), mask = new Float32Array(n * T);
    for (let b = 0; b < n; b++) {
      const p = pairs[from + b];
      for (let t = 0; t < p.ids.length; t++) {
        ids[b * T + t] = BigInt(p.ids[t]);
        types[b * T + t] = BigInt(p.types[t]);
        mask[b * T + t] = 1;
      }
    }
    const pos = new ort.Tensor('int64', BigInt64Array.from({length: T}, (_, i) => BigInt(i)), [1, T]);
    return session.run({input_ids: new ort.Tensor('int64', ids, [n, T]),
                        token_type_ids: new ort.Tensor('int64', types, [n, T]),
                        attention_mask: new ort.Tensor('float32', mask, [n, T]), position_ids: pos});
  };
  const first = [];
  for (let i = 0; i < 4; i++) first.push((await run(i, 1)).logits.data[0]);  // warm-up, parity
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  let tokens = 0, done = 0;
  for (let i = 0; i < pairs.length; i += B) {
    const n = Math.min(B, pairs.length - i);
    await run(i, n);
    for (let b = 0; b < n; b++) tokens += pairs[i + b].ids.length;
    done += n;
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0), cpuSecs = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify({pairs_per_s: done / secs, tokens_per_s: tokens / secs, pairs_per_cpu_s: done / cpuSecs,
                              pairs: done, tokens, secs, cpu_secs: cpuSecs, first4: first}));
})();
