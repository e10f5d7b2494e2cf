#!/bin/sh
# The gate of phase 2: the bound implementations pass every generated test at
# the manifest's scale.
# Exits with the gate's status; see gate.sh for the environment it reads.
exec "$(dirname "$0")/gate.sh" implementation "$@"
