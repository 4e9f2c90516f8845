#!/usr/bin/env bash
# Records what a build was made from in dist/build.json, for the REST API's root (`commit`, as Kafka Connect
# reports its own build's): the package checkout's git commit, with "-dirty" when tracked files differ from it;
# empty when the package is not a git checkout of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=""
if [[ "$(git rev-parse --show-toplevel 2>/dev/null || true)" == "$(pwd -P)" ]]; then
  commit=$(git rev-parse HEAD)
  git diff --quiet HEAD -- || commit="$commit-dirty"
fi
printf '{"commit":"%s"}\n' "$commit" > dist/build.json
