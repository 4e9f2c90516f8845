#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up, then unit tests and integration tests against a real Kafka
# broker and DynamoDB Local (started for the run unless a local stack is already up, and stopped afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec npx vitest run "$@"
