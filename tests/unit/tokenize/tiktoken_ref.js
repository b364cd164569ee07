// Reference ids from js-tiktoken (an independent implementation) for the
// tokenize unit tests: reads JSON Lines records with a "text" field and
// prints, per record, the ids of the text as one line of numbers.
// Usage: node tiktoken_ref.js NODE_MODULES_DIR ENCODING INPUT.jsonl [MAX_RECORDS]
const path = require("path");
const fs = require("fs");
const [modules, encoding, input, max] = process.argv.slice(2);
const { Tiktoken } = require(path.join(modules, "js-tiktoken", "dist", "lite.cjs"));
const ranks = require(path.join(modules, "js-tiktoken", "dist", "ranks", encoding + ".cjs"));
const enc = new Tiktoken(ranks.default || ranks);
const lines = fs.readFileSync(input, "utf8").split("\n").filter((l) => l.trim());
const n = max ? Math.min(lines.length, Number(max)) : lines.length;
const out = [];
for (let i = 0; i < n; i++) out.push(enc.encode(JSON.parse(lines[i]).text, [], []).join(" "));
process.stdout.write(out.join("\n") + "\n");
