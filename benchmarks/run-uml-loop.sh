#!/usr/bin/env bash
# The busybox 20,000-iteration loop of run-kernel.sh under User-Mode Linux (Debian's user-mode-linux, the other
# anchor issue 4 names beside PRoot), against native. UML boots once with the host's / as hostfs (read-only use)
# and times each run inside the guest with busybox's `time` (UML's clock is the host's), so its boot is not
# counted; the sandbox's figure without start-up is run-kernel.sh's "loop without start-up" row.
# Usage: benchmarks/run-uml-loop.sh [runs]
set -euo pipefail
runs=${1:-5}
command -v linux.uml >/dev/null || { echo "user-mode-linux is not installed (apt-get install user-mode-linux)" >&2; exit 1; }
busybox=$(command -v busybox)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Ten loops per timed run: `time` has 10 ms resolution; the figure is per loop.
loop='for k in 1 2 3 4 5 6 7 8 9 10; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; done'
cat >"$tmp/init.sh" <<SCRIPT
#!$busybox sh
for r in \$($busybox seq $runs); do $busybox time -f "uml %e" $busybox sh -c '$loop'; done
$busybox poweroff -f
SCRIPT
chmod +x "$tmp/init.sh"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(uname -r)  cpus $(nproc)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)  $(dpkg-query -W -f='user-mode-linux ${Version}' user-mode-linux 2>/dev/null)"
uml=$(timeout 300 linux.uml mem=256M rootfstype=hostfs rootflags=/ rw init="$tmp/init.sh" con0=fd:0,fd:1 con=null quiet \
    </dev/null 2>&1 | tr -d '\r' | awk '/^uml / { print $2 * 100 }' | median)
native=$(for r in $(seq "$runs"); do /usr/bin/time -f "%e" "$busybox" sh -c "$loop" 2>&1; done | awk '{ print $1 * 100 }' | median)
echo "busybox sh 20,000-iteration loop, median of $runs runs of 10 (ms per loop): native $native, UML $uml"
