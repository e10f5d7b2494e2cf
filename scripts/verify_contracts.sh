#!/bin/sh
# The gate of phase 1: the reference models pass their generated tests and every
# clause is exercised by at least one of them.
# Exits with the gate's status; see gate.sh for the environment it reads.
exec "$(dirname "$0")/gate.sh" contracts "$@"
