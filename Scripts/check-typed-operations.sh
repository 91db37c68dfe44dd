#!/bin/sh
# Compile-time checks of the typed operations (what a test inside the suite cannot check: a
# sample that must NOT compile). Type-checks each sample in Scripts/typed-operations against
# the Constrained module of a finished debug build:
# - compiles.swift must type-check;
# - each misuse-*.swift must fail, with the error its first line names ("// expected error: …").
# Usage: Scripts/check-typed-operations.sh [scratch path, default .build]
set -eu
cd "$(dirname "$0")/.."
SCRATCH=${1:-.build}
BIN=$(swift build --scratch-path "$SCRATCH" --show-bin-path)
[ -f "$BIN/Modules/Constrained.swiftmodule" ] || { echo "no Constrained module in $BIN: build first" >&2; exit 2; }
VECTOR_MATH_MAP=$(find "$BIN/" -path '*CVectorMath.build/module.modulemap' | head -n 1)
NUMERICS_SHIMS=$(find "$SCRATCH/checkouts" -type d -path '*swift-numerics/Sources/_NumericsShims/include' | head -n 1)
typecheck() {
    swiftc -typecheck -swift-version 6 -I "$BIN/Modules" -I Sources/CLAPACK -I "$NUMERICS_SHIMS" \
        -Xcc -fmodule-map-file="$VECTOR_MATH_MAP" -Xcc -ISources/CVectorMath/include "$1"
}
failures=0
if typecheck Scripts/typed-operations/compiles.swift; then
    echo "ok: compiles.swift type-checks"
else
    echo "FAIL: compiles.swift does not type-check" >&2; failures=$((failures + 1))
fi
for sample in Scripts/typed-operations/misuse-*.swift; do
    expected=$(sed -n '1s|^// expected error: ||p' "$sample")
    if output=$(typecheck "$sample" 2>&1); then
        echo "FAIL: $sample compiles, but must not" >&2; failures=$((failures + 1))
    elif printf '%s' "$output" | grep -qF "error: $expected"; then
        echo "ok: $(basename "$sample") is rejected: $expected"
    else
        echo "FAIL: $sample fails for another reason than \"$expected\":" >&2
        printf '%s\n' "$output" | grep 'error:' >&2; failures=$((failures + 1))
    fi
done
[ "$failures" -eq 0 ]
