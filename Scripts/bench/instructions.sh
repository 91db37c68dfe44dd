#!/bin/sh
# The noise-free regression guard: callgrind's instruction count of one training step of the
# orthogonal RNN (T = 20, hidden 190, batch 128, Double, one thread), which counts the same on
# a busy machine as on a quiet one.
#
#   Scripts/bench/instructions.sh BENCH_BINARY OUTPUT.jsonl
#
# Writes one JSON line (impl "callgrind") that report.py shows beside the timings. Only the
# body of one step is counted (`--toggle-collect` on `measuredRun`, after one warm-up step).
# Under valgrind the CPU reports no AVX-512, so the AVX2 kernels (SLEEF's and OpenBLAS's
# Haswell ones) run: compare counts from this script with each other, not with native runs.
set -eu
bench=$1
output=$2
key='constrained/rnn-orthogonal-h190/float64/20/train-step'
if ! command -v valgrind >/dev/null 2>&1; then
    echo "instructions.sh: valgrind not installed (apt-get install valgrind); skipped" >&2
    exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the DWARF 5 debug information Swift 6 emits: count on a copy
# without it (the symbol table, which names the functions, stays).
objcopy --strip-debug "$bench" "$work/bench"
OPENBLAS_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$work/out" \
    --toggle-collect='*measuredRun*' \
    "$work/bench" --once --quick --threads 1 --filter "^$key\$" 2> "$work/log"
count=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\).*/\1/p' "$work/log")
if [ -z "$count" ] || [ "$count" = 0 ]; then
    echo "instructions.sh: no instructions counted; valgrind said:" >&2
    cat "$work/log" >&2
    exit 1
fi
printf '{"suite":"constrained","workload":"rnn-orthogonal-h190","dtype":"float64","n":20,"phase":"train-step","instructions":%s,"valgrind":"%s","impl":"callgrind"}\n' \
    "$count" "$(valgrind --version)" | tee "$output"
