// Reference ids for the tokenize unit tests from an independent
// implementation, js-tiktoken or gpt-tokenizer (the latter merges long words
// in O(n log n); js-tiktoken takes seconds on a 10k-character word): reads
// JSON Lines records with a "text" field and prints, per record, the ids of
// the text (special tokens as plain text) as one line of numbers.
// Usage: node tiktoken_ref.js NODE_MODULES_DIR js-tiktoken|gpt-tokenizer ENCODING INPUT.jsonl [MAX_RECORDS]
const path = require("path");
const fs = require("fs");
const [modules, lib, encoding, input, max] = process.argv.slice(2);
let encode;
if (lib === "gpt-tokenizer") {
  const gpt = require(path.join(modules, "gpt-tokenizer", "cjs", "encoding", encoding + ".js"));
  encode = (t) => gpt.encode(t, { disallowedSpecial: new Set() });
} else {
  const { Tiktoken } = require(path.join(modules, "js-tiktoken", "dist", "lite.cjs"));
  const ranks = require(path.join(modules, "js-tiktoken", "dist", "ranks", encoding + ".cjs"));
  const enc = new Tiktoken(ranks.default || ranks);
  encode = (t) => enc.encode(t, [], []);
}
const lines = fs.readFileSync(input, "utf8").split("\n").filter((l) => l.trim());
const n = max ? Math.min(lines.length, Number(max)) : lines.length;
const out = [];
for (let i = 0; i < n; i++) out.push(encode(JSON.parse(lines[i]).text).join(" "));
process.stdout.write(out.join("\n") + "\n");
