#!/bin/sh
# Runs node (>= 22.12) with the given arguments, bringing one first where the machine's is too old.
set -eu
bin=$(sh "$(dirname "$0")/ensure-node.sh")
exec "$bin/node" "$@"
