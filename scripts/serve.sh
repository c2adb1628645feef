#!/bin/sh
# `npm start`: the built server (dist/; `npm run build` after changing the sources) as one plain node
# process (exec: no shell stays behind), with the memory settings measured in test/bench/memory.ts
# (README, Limits):
#   --max-semi-space-size=1  a 1 MiB young generation (V8 otherwise grows it to 64 MiB under load
#                            and keeps the pages)
#   --no-maglev              no mid-tier compiler (its compilations left about 30 MiB behind)
#   --invocation-count-for-turbofan=500
#                            optimize a function after 500 calls instead of V8's 3,000: the code
#                            that starts a run is called once per run, so a 1,000-run minute tick
#                            ran unoptimized for its first three minutes and started its handlers
#                            up to 60-70 ms late; now optimized during the second tick (V8 counts
#                            the bytecode a function runs against its whole length, so the main
#                            ones tier up after well over 500 calls), no memory cost measured
#                            (test/bench/server-tick.ts)
#   MALLOC_ARENA_MAX=1       one malloc arena instead of one per thread that allocates (GC threads
#                            each kept their own, partly empty); fire precision stayed within target
# Settings tried and left out because they cost fire precision or throughput: --optimize-for-size,
# --heap-growing-percent, --no-opt (README, Limits). A MALLOC_ARENA_MAX already set wins, and .env is
# read as by `npm run dev`.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(sh "$root/scripts/ensure-node.sh")
MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-1}
export MALLOC_ARENA_MAX
exec "$bin/node" --max-semi-space-size=1 --no-maglev --invocation-count-for-turbofan=500 --env-file-if-exists=.env "$root/dist/cli/index.js" serve
