#!/bin/sh
# Run one phase gate for CI and exit with its status: 0 when every
# criterion is met, 1 on findings, 2 on a usage or input error.
#
#   scripts/gate.sh PHASE [options of `specfirst gate`]
#
# SPECFIRST          the command to run; default `specfirst` on the PATH, else
#                    .venv/bin/specfirst in the current folder.
# SPECFIRST_REPORTS  a folder to write PHASE.json, PHASE.junit.xml,
#                    PHASE.sarif and PHASE.md into, for the CI to collect.
set -u

if [ $# -lt 1 ]; then
    echo "usage: $0 PHASE [options]" >&2
    exit 2
fi
phase=$1
shift

specfirst=${SPECFIRST:-}
if [ -z "$specfirst" ]; then
    if command -v specfirst >/dev/null 2>&1; then
        specfirst=specfirst
    elif [ -x .venv/bin/specfirst ]; then
        specfirst=.venv/bin/specfirst
    else
        echo "$0: no specfirst command: install it or set SPECFIRST" >&2
        exit 2
    fi
fi

reports=${SPECFIRST_REPORTS:-}
if [ -n "$reports" ]; then
    mkdir -p "$reports" || exit 2
    set -- --json "$reports/$phase.json" --junit "$reports/$phase.junit.xml" \
        --sarif "$reports/$phase.sarif" --report "$reports/$phase.md" "$@"
fi

# Unquoted on purpose, so that SPECFIRST may be a command with arguments
# such as "python -m specfirst".
exec $specfirst gate "$phase" "$@"
