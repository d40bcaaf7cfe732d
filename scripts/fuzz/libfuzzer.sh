#!/usr/bin/env bash
# The fuzz target under libFuzzer (coverage-guided) instead of the seeded driver: the same
# runOne (scripts/fuzz/driver/FuzzDriver.swift) built with -sanitize=fuzzer into .build-fuzz.
#
#   scripts/fuzz/libfuzzer.sh [libFuzzer flags]     # e.g. -runs=1000000 or -max_total_time=60
#
# The first byte of an input picks the parser (spec, cidr, address, duration). The committed
# corpus is copied into .build-fuzz/corpus (libFuzzer adds what it finds there).
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --build-path .build-fuzz --product fuzz-driver \
    -Xswiftc -sanitize=fuzzer -Xswiftc -DBERTH_LIBFUZZER >&2
corpus=.build-fuzz/corpus
mkdir -p "$corpus"
# libFuzzer inputs carry the kind in their first byte: 0 spec, 1 cidr, 2 address, 3 duration.
i=0
for kind in spec cidr address duration; do
    for f in Tests/data/fuzz-corpus/"$kind"-*; do
        { printf "\\x$(printf %02x $i)"; cat "$f"; } > "$corpus/$(basename "$f")"
    done
    i=$((i + 1))
done
exec .build-fuzz/release/fuzz-driver "$corpus" "$@"
