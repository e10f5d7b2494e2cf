#!/bin/sh
# The gate of phase 0: every required spec exists, checks, states every kind of
# clause, has every obligation proved and has its review cycles.
# Exits with the gate's status; see gate.sh for the environment it reads.
exec "$(dirname "$0")/gate.sh" specifications "$@"
