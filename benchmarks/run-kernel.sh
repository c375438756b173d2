#!/usr/bin/env bash
# The multi-process kernel's costs, natively, in the sandbox (bin/jrunsc do, on ptrace and on systrap) and under
# systrap with its handoff forced to futexes (-Djvisor.systrap.spin=never), and
# PRoot (a ptrace-based anchor, if installed), in one run: pipe ping-pong latency, pipe throughput with 1 MiB writes,
# a futex ping-pong between two threads, fork+exit+wait, and busybox sh running a 20,000-iteration loop.
# Each figure is the median of 5 repetitions. Usage: benchmarks/run-kernel.sh
set -euo pipefail
repo=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for p in pipe_pingpong pipe_throughput futex_pingpong; do
    gcc -static -O2 -pthread -o "$tmp/$p" "$repo/benchmarks/kernel/$p.c"
done
gcc -static -O1 -o "$tmp/forkcopy" "$repo/benchmarks/fork/forkcopy.c"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
"$repo/bin/jrunsc" --version >/dev/null

runners=("native" "ptrace" "systrap" "systrap-futex")
command -v proot >/dev/null && runners+=("proot")
run() { # runner, command...
    local who=$1
    shift
    case $who in
        native) "$@" ;;
        ptrace | systrap) "$repo/bin/jrunsc" --platform="$who" do "$@" ;;
        systrap-futex) JAVA_TOOL_OPTIONS=-Djvisor.systrap.spin=never "$repo/bin/jrunsc" --platform=systrap do "$@" 2> >(grep -v '^Picked up JAVA_TOOL_OPTIONS' >&2) ;;
        proot) proot "$@" ;;
    esac
}
loop='i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done'
echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(uname -r)  cpus $(nproc)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A res
for who in "${runners[@]}"; do
    res[pingpong,$who]=$(run "$who" "$tmp/pipe_pingpong" 5000 | median)
    res[throughput,$who]=$(run "$who" "$tmp/pipe_throughput" 128 | median)
    res[futex,$who]=$(run "$who" "$tmp/futex_pingpong" 5000 | median)
    res[fork,$who]=$(run "$who" "$tmp/forkcopy" 0 2>&1 | awk '/best/ { print $0; exit }' || true)
    s=$(date +%s%N)
    for r in 1 2 3; do run "$who" /bin/busybox sh -c "$loop"; done
    res[loop,$who]=$(( ($(date +%s%N) - s) / 3000000 ))
    s=$(date +%s%N)
    for r in 1 2 3; do run "$who" /bin/busybox true; done
    res[start,$who]=$(( ($(date +%s%N) - s) / 3000000 ))
    res[net,$who]=$(( res[loop,$who] - res[start,$who] ))
done
header="| benchmark |"
for who in "${runners[@]}"; do header+=" $who |"; done
echo "$header"
row() { # label, key, unit
    local line="| $1 |"
    for who in "${runners[@]}"; do line+=" ${res[$2,$who]} $3 |"; done
    echo "$line"
}
row "pipe ping-pong round trip (ns)" pingpong ""
row "pipe throughput, 1 MiB writes (MiB/s)" throughput ""
row "futex ping-pong round trip, two threads (ns)" futex ""
row "busybox sh 20,000-iteration loop, incl. start-up (ms)" loop ""
row "busybox true: start-up alone (ms)" start ""
row "the loop without start-up (ms)" net ""
for who in "${runners[@]}"; do echo "fork ($who): ${res[fork,$who]}"; done
