#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up, then unit tests and integration tests against a real Kafka
# broker and DynamoDB Local (started for the run unless a local stack is already up, and stopped afterwards).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh

# The status page is tested in a real browser: Debian's chromium, driven by playwright-core (no browser download).
if [ -z "${CHROMIUM_PATH:-}" ] && ! command -v chromium >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "test: installing chromium (the status page's test runs in a real browser)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test: chromium is missing: run \`sudo apt-get install chromium\` (or set CHROMIUM_PATH to a Chromium or Chrome) and try again." >&2
    exit 1
  fi
fi
exec npx vitest run "$@"
