#!/usr/bin/env bash
# The static C getpid loop natively, in the sandbox (bin/jrunsc do, on the ptrace and the systrap platform) and
# the C floors (../shared/floors: ptrace_sysemu, same-CPU GETREGS/SETREGS; systrap, same-CPU futex) in one run.
# Prints the median ns per getpid of each. Usage: benchmarks/run-sandbox-getpid.sh [N] [REPS]
set -euo pipefail
repo=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
n=${1:-100000}
reps=${2:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gcc -static -O2 -o "$tmp/getpid_loop" "$repo/benchmarks/guest/getpid_loop.c"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(uname -r)  cpus $(nproc)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)"
native=$("$tmp/getpid_loop" "$n" "$reps" | median)
"$repo/bin/jrunsc" --version >/dev/null # built
sandbox=$("$repo/bin/jrunsc" --platform=ptrace do "$tmp/getpid_loop" "$n" "$reps" | median)
systrap=$("$repo/bin/jrunsc" --platform=systrap do "$tmp/getpid_loop" "$n" "$reps" | median)
# The systrap handoff forced (SpinPolicy): futexes on one CPU, or split and spinning on two.
sfutex=$(JAVA_TOOL_OPTIONS=-Djvisor.systrap.spin=never "$repo/bin/jrunsc" --platform=systrap do "$tmp/getpid_loop" "$n" "$reps" 2>/dev/null | median)
sspin=$(JAVA_TOOL_OPTIONS=-Djvisor.systrap.spin=always "$repo/bin/jrunsc" --platform=systrap do "$tmp/getpid_loop" "$n" "$reps" 2>/dev/null | median)

floor=n/a
sfloor=n/a
spinfloor=n/a
if [[ -d "$repo/../shared/floors" ]]; then
    cp -r "$repo/../shared/floors" "$tmp/floors"
    make -s -C "$tmp/floors" ptrace_sysemu systrap >/dev/null
    floor=$("$tmp/floors/ptrace_sysemu" 10000 2000 | awk -F'|' '$2 == "ptrace SYSEMU (GETREGS/SETREGS)" && $3 == "same-cpu" { print $4 }')
    "$tmp/floors/systrap" >"$tmp/systrap.out"
    sfloor=$(awk -F'|' '$2 == "systrap: SIGSYS->shm, futex" && $3 == "same-cpu" { print $4 }' "$tmp/systrap.out")
    spinfloor=$(awk -F'|' '$2 == "systrap: SIGSYS->shm, spin" && $3 == "cross-cpu" { print $4 }' "$tmp/systrap.out")
fi
printf '| %s | %s |\n' "native getpid (static C loop)" "$native ns"
printf '| %s | %s |\n' "sandbox getpid (same loop, jrunsc do, ptrace)" "$sandbox ns"
printf '| %s | %s |\n' "sandbox getpid (same loop, jrunsc do, systrap, adaptive)" "$systrap ns"
printf '| %s | %s |\n' "sandbox getpid (same loop, jrunsc do, systrap, futex only)" "$sfutex ns"
printf '| %s | %s |\n' "sandbox getpid (same loop, jrunsc do, systrap, spin always)" "$sspin ns"
printf '| %s | %s |\n' "C floor: ptrace SYSEMU GETREGS/SETREGS, same CPU" "$floor ns"
printf '| %s | %s |\n' "C floor: systrap SIGSYS->shm, futex, same CPU" "$sfloor ns"
printf '| %s | %s |\n' "C floor: systrap SIGSYS->shm, both sides spin, two CPUs" "$spinfloor ns"
if [[ $floor != n/a ]]; then
    awk -v s="$sandbox" -v f="$floor" 'BEGIN { printf "ratio ptrace sandbox / ptrace floor: %.2f\n", s / f }'
fi
if [[ $sfloor != n/a ]]; then
    awk -v s="$systrap" -v f="$sfloor" 'BEGIN { printf "ratio systrap sandbox / systrap floor: %.2f\n", s / f }'
fi
