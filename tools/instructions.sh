#!/bin/sh
# Instructions per call, SDK against the limit (plain ureq + serde_json), counted by valgrind's
# callgrind: deterministic, unlike the wall clock of a loopback shared with the server.
# Each call is run N times and 0 times (after one warm-up call); the difference over N is one
# call. Only the client process is counted (the bench server is a child process valgrind does
# not follow). `get-4-threads` is a `get` made while 4 threads share one client (the limit: one
# agent keeping 4 connections); valgrind runs one thread at a time, so it counts what a call
# executes (locks and atomics included), not what contention costs.
# Usage: tools/instructions.sh  (needs valgrind; takes a few minutes)
set -eu
cd "$(dirname "$0")/.."
cargo build --release --example bench --quiet
bench=target/release/examples/bench
out=$(mktemp -d)
count() { # side call n -> instructions
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" "$bench" --count "$1" "$2" "$3" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-16s %14s %14s %8s\n' call sdk limit ratio
for spec in start:200 get:200 get-4-threads:200 list:5 decode:3 decode-typical:3; do
    call=${spec%%:*} n=${spec##*:}
    sdk=$(( ($(count sdk "$call" "$n") - $(count sdk "$call" 0)) / n ))
    limit=$(( ($(count limit "$call" "$n") - $(count limit "$call" 0)) / n ))
    printf '%-16s %14d %14d %8s\n' "$call" "$sdk" "$limit" \
        "$(awk "BEGIN { printf \"%.3f\", $limit / $sdk }")"
done
rm -rf "$out"
