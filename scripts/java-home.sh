# Sourced by ./parley and .ci/run: exports JAVA_HOME pointing at a JDK >= 21.
# Looks at $JAVA_HOME first, then Temurin 25 where these machines keep it, then the java on PATH.
parley_java_major() {
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}

parley_find_java() {
    local candidates=()
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
    candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
    if command -v java >/dev/null 2>&1; then
        candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
    fi
    local c major
    for c in "${candidates[@]}"; do
        [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
        major=$(parley_java_major "$c")
        if [ -n "$major" ] && [ "$major" -ge 21 ]; then
            export JAVA_HOME="$c"
            return 0
        fi
    done
    echo "parley: no JDK >= 21 found (looked at JAVA_HOME='${JAVA_HOME:-}', /usr/lib/jvm/temurin-25-jdk-amd64 and the java on PATH)." >&2
    echo "parley: install a JDK 21 or newer and set JAVA_HOME to it." >&2
    return 1
}
