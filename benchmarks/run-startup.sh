#!/bin/bash
# Start-to-exit time of `jrunsc run` on a hello-world bundle (busybox echo), and of `jrunsc create` + `start`
# + the sandbox's exit, the path containerd takes; `runc run` of the same bundle side by side when runc is
# installed. Uses hyperfine when present, else a loop of N runs (median). Usage: benchmarks/run-startup.sh [N]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-20}
jrunsc="$repo/bin/jrunsc"
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC')  $(uname -r)  $(nproc) cpus  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)  loadavg $(cut -d' ' -f1-3 /proc/loadavg)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bundle/rootfs/bin"
cp "$(command -v busybox)" "$work/bundle/rootfs/bin/busybox"
if command -v runc >/dev/null; then
    # runc needs its namespaces and mounts; jrunsc accepts the same spec (and logs what it does not apply).
    (cd "$work/bundle" && runc spec)
    sed -i 's/"terminal": true/"terminal": false/; s|^\(\s*\)"sh"$|\1"/bin/busybox", "echo", "hello, world"|' \
        "$work/bundle/config.json"
else
    cat >"$work/bundle/config.json" <<'JSON'
{"ociVersion": "1.0.2",
 "process": {"args": ["/bin/busybox", "echo", "hello, world"], "env": ["PATH=/bin"], "cwd": "/"},
 "root": {"path": "rootfs", "readonly": true}}
JSON
fi

# Build, train the AOT cache and check the bundle once, outside the measurement.
out=$("$jrunsc" --root "$work/state" run --bundle "$work/bundle" warmup </dev/null)
[[ "$out" == "hello, world" ]] || { echo "unexpected output: $out" >&2; exit 1; }

# One `create` (detached sandbox), `start`, then wait for the sandbox's exit through the control socket.
cat >"$work/lifecycle.sh" <<SH
#!/bin/bash
set -e
id=c\$\$\$RANDOM
"$jrunsc" --root "$work/state" create --bundle "$work/bundle" "\$id" </dev/null >/dev/null
"$jrunsc" --root "$work/state" start "\$id"
"$jrunsc" --root "$work/state" wait "\$id" >/dev/null
"$jrunsc" --root "$work/state" delete "\$id"
SH
chmod +x "$work/lifecycle.sh"

run_cmd="$jrunsc --root $work/state run --bundle $work/bundle hello"
if command -v hyperfine >/dev/null; then
    cmds=("$run_cmd" "$work/lifecycle.sh")
    names=("jrunsc run" "jrunsc create+start+wait+delete")
    if command -v runc >/dev/null; then
        cmds+=("runc --root $work/runc run --bundle $work/bundle hello")
        names+=("runc run")
    fi
    args=()
    for i in "${!cmds[@]}"; do
        args+=(-n "${names[i]}" "${cmds[i]}")
    done
    hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$work/table.md" "${args[@]}" </dev/null >&2 ||
        hyperfine --warmup 3 --runs "$runs" --export-markdown "$work/table.md" "${args[@]}" </dev/null >&2
    cat "$work/table.md"
else
    for cmd in "$run_cmd" "$work/lifecycle.sh"; do
        times=()
        for ((i = 0; i < runs; i++)); do
            t0=$(date +%s%N)
            $cmd </dev/null >/dev/null
            t1=$(date +%s%N)
            times+=($(( (t1 - t0) / 1000000 )))
        done
        sorted=($(printf '%s\n' "${times[@]}" | sort -n))
        echo "$cmd: median ${sorted[$((runs / 2))]} ms, min ${sorted[0]} ms, max ${sorted[$((runs - 1))]} ms ($runs runs)"
    done
fi
