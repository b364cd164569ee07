# Shared helpers for scripts/bench/*: paths, the SciFact-derived corpus, timing.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${HEWN_BIN:-$root/build/bin}  # HEWN_BIN: another build's tools (before/after figures)
shared=$(cd "$root/.." && pwd)/shared
scratch=${HEWN_BENCH_DIR:-$root/build/bench}
mkdir -p "$scratch"

need_shared() {
  if [[ ! -d $shared/data/scifact ]]; then
    echo "skipped: $shared/data/scifact is absent (the benchmark needs ../shared)"
    exit 0
  fi
}

# corpus MB: a JSON Lines file of about MB megabytes of SciFact documents
# ({"id","title","text"}, title + blank line + abstract), repeated with new ids.
corpus() {
  local mb=$1 out=$scratch/scifact-$1mb.jsonl
  if [[ ! -s $out ]]; then
    python3 - "$shared/data/scifact/corpus.jsonl" "$out" "$mb" <<'PY'
import json, sys
src, out, mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = [json.loads(l) for l in open(src, encoding="utf-8")]
limit, n, i = mb * 1_000_000, 0, 0
with open(out, "w", encoding="utf-8") as f:
    while n < limit:
        d = docs[i % len(docs)]
        line = json.dumps({"id": f"{d['_id']}-{i}", "title": d["title"],
                           "text": d["title"] + "\n\n" + d["text"]}, ensure_ascii=False) + "\n"
        f.write(line)
        n += len(line.encode())
        i += 1
PY
  fi
  echo "$out"
}

# best_of N CMD...: the smallest wall time in seconds over N runs (output discarded).
best_of() {
  local n=$1 best=""
  shift
  for ((i = 0; i < n; i++)); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null
    t1=$(date +%s.%N)
    best=$(python3 -c "a=$t1-$t0; b='$best'; print(a if not b or a < float(b) else b)")
  done
  echo "$best"
}

# cpu CMD...: the smallest user + system seconds over 3 runs.
cpu() {
  python3 -c '
import resource, subprocess, sys
best = None
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = t if best is None or t < best else best
print(best)' "$@"
}

mbps() { python3 -c "print(f'{$1 / 1e6 / $2:.1f}')"; }
