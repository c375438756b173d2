#!/bin/bash
# Emulated getpid on the ptrace platform (JMH) and the C floor for the same round trip (shared floors'
# ptrace_sysemu), measured in one run. Usage: benchmarks/run-getpid.sh [extra JMH args...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
export MAVEN_OPTS=${MAVEN_OPTS:---sun-misc-unsafe-memory-access=allow}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(uname -r)  $(nproc) cpus  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

(cd "$repo" && mvn -q -pl benchmarks -am -DskipTests package)

echo "## JMH: PtraceGetpidBenchmark"
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    -cp "$repo/benchmarks/target/classes:$repo/benchmarks/target/lib/*" \
    org.openjdk.jmh.Main PtraceGetpidBenchmark -wi 3 -i 5 -w 1s -r 1s -f 1 "$@"

echo "## C floor: ptrace_sysemu (../shared/floors, built in a temp dir)"
floors=$(mktemp -d)
trap 'rm -rf "$floors"' EXIT
cp -r "$repo/../shared/floors/." "$floors/"
chmod -R u+w "$floors"
make -s -C "$floors" ptrace_sysemu
echo "| mechanism | pinning | median ns | min ns | max ns | reps x iterations | notes |"
echo "|---|---|---:|---:|---:|---|---|"
"$floors/ptrace_sysemu" 10000 2000 | awk -F'|' '/^R\|/ { printf "| %s | %s | %s | %s | %s | %s | %s |\n", $2, $3, $4, $5, $6, $7, $8 }'
