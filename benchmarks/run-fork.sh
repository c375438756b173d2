#!/usr/bin/env bash
# fork+exit+wait of a process with 0 or 100 MiB of touched private memory, natively and in the sandbox (bin/jrunsc
# do, ptrace) with copy-on-write fork (the default) and with eager copy (-Djvisor.mm.eagerFork=true, passed through
# JAVA_TOOL_OPTIONS); each case once with a child that only reads two bytes, once with a child that writes every
# page (copy-on-write's worst case). Each line is forkcopy's best and mean of 20 forks. Usage: benchmarks/run-fork.sh
set -euo pipefail
repo=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -static -O1 -o "$tmp/forkcopy" "$repo/benchmarks/fork/forkcopy.c"
"$repo/bin/jrunsc" --version >/dev/null
echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(uname -r)  cpus $(nproc)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
for args in "0" "100" "100 write"; do
    # shellcheck disable=SC2086 # args is two words on purpose
    echo "native:           $("$tmp/forkcopy" $args)"
    # shellcheck disable=SC2086
    echo "jvisor, cow:      $("$repo/bin/jrunsc" do "$tmp/forkcopy" $args)"
    # shellcheck disable=SC2086
    echo "jvisor, eager:    $(JAVA_TOOL_OPTIONS=-Djvisor.mm.eagerFork=true "$repo/bin/jrunsc" do "$tmp/forkcopy" $args \
        2> >(grep -v '^Picked up JAVA_TOOL_OPTIONS' >&2))"
done
