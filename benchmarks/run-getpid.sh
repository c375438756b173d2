#!/bin/bash
# Emulated getpid on the ptrace and systrap platforms (JMH) and the C floors for the same round trips (shared
# floors' ptrace_sysemu and systrap), measured in one run. Usage: benchmarks/run-getpid.sh [extra JMH args...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export MAVEN_OPTS=${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}

# Waits (at most QUIET_WAIT_S seconds, default 30) until under 10% of all CPUs were busy for 0.5 s: the numbers
# mean little on a loaded machine. Prints the load seen.
busy_jiffies() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
wait_quiet() {
	local end=$(( $(date +%s) + ${QUIET_WAIT_S:-30} )) a b ncpu
	ncpu=$(nproc)
	while :; do
		a=$(busy_jiffies); sleep 0.5; b=$(busy_jiffies)
		if (( (b - a) * 100 < 10 * 50 * ncpu )); then echo "# quiet: $(( (b - a) * 2 / ncpu ))% busy"; return 0; fi
		if (( $(date +%s) >= end )); then echo "# machine busy ($(( (b - a) * 2 / ncpu ))%); measuring anyway"; return 0; fi
	done
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(uname -r)  $(nproc) cpus  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

(cd "$repo" && mvn -q -pl benchmarks -am -DskipTests package)

echo "## JMH: PtraceGetpidBenchmark (avgt: mean; sample: percentiles)"
wait_quiet
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    -cp "$repo/benchmarks/target/classes:$repo/benchmarks/target/lib/*" \
    org.openjdk.jmh.Main PtraceGetpidBenchmark -bm avgt,sample -tu us -wi 3 -i 5 -w 1s -r 1s -f 1 "$@"

echo "## C floors: ptrace_sysemu and systrap (../shared/floors, built in a temp dir)"
floors=$(mktemp -d)
trap 'rm -rf "$floors"' EXIT
cp -r "$repo/../shared/floors/." "$floors/"
chmod -R u+w "$floors"
make -s -C "$floors" ptrace_sysemu systrap
wait_quiet
echo "| mechanism | pinning | median ns | min ns | max ns | reps x iterations | notes |"
echo "|---|---|---:|---:|---:|---|---|"
"$floors/ptrace_sysemu" 10000 2000 | awk -F'|' '/^R\|/ { printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7, $8 }'
"$floors/systrap" | awk -F'|' '/^R\|/ { printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7, $8 }'
