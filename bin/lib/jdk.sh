# shellcheck shell=bash
# Sourced by bin/jrunsc and bin/test: finds a JDK of version 25 or newer.

# Prints the major version of the JDK at $1 (from its release file), or 0.
jvisor_jdk_version() {
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true)
    echo "${v:-0}"
}

# Prints the home of a JDK >= 25: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm. Fails if none.
jvisor_find_jdk() {
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/javac" ]] && (( $(jvisor_jdk_version "$JAVA_HOME") >= 25 )); then
        echo "$JAVA_HOME"
        return 0
    fi
    local d v best="" best_v=0
    for d in /usr/lib/jvm/*; do
        [[ -x "$d/bin/javac" ]] || continue
        v=$(jvisor_jdk_version "$d")
        if (( v >= 25 && v > best_v )); then
            best=$d
            best_v=$v
        fi
    done
    [[ -n "$best" ]] || return 1
    echo "$best"
}
