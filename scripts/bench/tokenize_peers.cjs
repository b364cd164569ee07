// Peer side of scripts/bench/tokenize: js-tiktoken, gpt-tokenizer and
// LangChain.js TokenTextSplitter on the same text. MB/s in process CPU time.
// Usage: node tokenize_peers.cjs MODULES_DIR tokenize FILE   (one document per line)
//        node tokenize_peers.cjs MODULES_DIR chunk FILE      (LangChain, cl100k_base, 512)
const path = require("path");
const fs = require("fs");
const [modules, mode, file] = process.argv.slice(2);
const req = (p) => require(path.join(modules, p));
const text = fs.readFileSync(file, "utf8");
const docs = text.split("\n").filter((l) => l.length);
const mb = Buffer.byteLength(text, "utf8") / 1e6;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const time = (label, f) => {
  const t0 = cpu();
  const n = f();
  const s = cpu() - t0;
  console.log(`${label} ${(mb / s).toFixed(2)} ${n}`);
};
const { Tiktoken } = req("js-tiktoken/dist/lite.cjs");
const ranks = (e) => {
  const r = req(`js-tiktoken/dist/ranks/${e}.cjs`);
  return r.default || r;
};
if (mode === "tokenize") {
  for (const e of ["cl100k_base", "o200k_base"]) {
    const enc = new Tiktoken(ranks(e));
    time(`js-tiktoken ${e} encode`, () => docs.reduce((n, d) => n + enc.encode(d, [], []).length, 0));
    const gpt = req(`gpt-tokenizer/cjs/encoding/${e}.js`);
    time(`gpt-tokenizer ${e} encode`, () =>
      docs.reduce((n, d) => n + gpt.encode(d, { disallowedSpecial: new Set() }).length, 0));
    time(`gpt-tokenizer ${e} count`, () =>
      docs.reduce((n, d) => n + gpt.countTokens(d, { disallowedSpecial: new Set() }), 0));
  }
} else {
  const { TokenTextSplitter } = req("@langchain/textsplitters");
  const s = new TokenTextSplitter({ encodingName: "cl100k_base", chunkSize: 512, chunkOverlap: 0 });
  s.tokenizer = new Tiktoken(ranks("cl100k_base"));  // no network: give it the ranks
  (async () => {
    const t0 = cpu();
    let n = 0;
    for (const d of docs) n += (await s.splitText(d)).length;
    const sec = cpu() - t0;
    console.log(`langchain-token-splitter ${(mb / sec).toFixed(2)} ${n}`);
  })();
}
