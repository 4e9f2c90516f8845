#!/usr/bin/env bash
# The main job on a fresh machine: set-up, then the demo on the local stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec node bin/dynamodb-kafka.js demo "$@"
