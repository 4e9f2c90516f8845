#!/usr/bin/env bash
# Prepares a clone for use: checks the runtimes, installs the Debian headers the Kafka client's native build
# needs (when missing and run as root), installs the npm dependencies and builds. Safe to run again: it only
# reinstalls when package-lock.json changed.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "bootstrap: $*" >&2; exit 1; }

command -v node >/dev/null || fail "Node.js was not found: install Node.js 20.19 or newer."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || fail "Node.js $(node --version) is too old: install 20.19 or newer."
command -v java >/dev/null || fail "Java was not found: install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless)."
command -v mvn >/dev/null || fail "Maven was not found: install it (Debian: apt-get install maven)."
# The tests' moto server (TAG discovery) runs in a virtualenv: Python 3.9+ with venv and ensurepip.
python="${PYTHON:-python3}"
command -v "$python" >/dev/null || fail "Python 3 was not found: install Python 3.9 or newer (Debian: apt-get install python3 python3-venv)."
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' \
  || fail "$("$python" --version 2>&1) is too old: the local stack's moto server needs Python 3.9 or newer."
if ! "$python" -c 'import venv, ensurepip' 2>/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "bootstrap: installing python3-venv (the local stack's moto server runs in a virtualenv)" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else
    fail "Python's venv module is missing: run \`sudo apt-get install python3-venv\` and try again."
  fi
fi

# @confluentinc/kafka-javascript builds librdkafka from source where its prebuilt binary cannot be downloaded
# (.npmrc sets CKJS_LINKING=dynamic for that). It links the system's OpenSSL and zlib (required) and, when
# their headers are present, zstd and Cyrus SASL (zstd compression, GSSAPI).
if command -v dpkg-query >/dev/null; then
  required=(libssl-dev zlib1g-dev)
  optional=(libzstd-dev libsasl2-dev)
  missing=()
  for package in "${required[@]}" "${optional[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  if ((${#missing[@]})); then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "bootstrap: installing ${missing[*]} (headers for the Kafka client's native build)" >&2
      apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      for package in "${required[@]}"; do
        [[ " ${missing[*]} " == *" $package "* ]] && fail "missing ${missing[*]}: run \`sudo apt-get install ${missing[*]}\` and try again."
      done
      echo "bootstrap: ${missing[*]} missing: the Kafka client will build without zstd/GSSAPI (\`sudo apt-get install ${missing[*]}\` adds them)." >&2
    fi
  fi
fi

lock_digest=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.dynamodb-kafka-lock.sha256
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$lock_digest" ]; then
  npm run --silent build
else
  echo "bootstrap: installing npm dependencies (the Kafka client's native build takes a few minutes the first time)" >&2
  npm ci --no-audit --no-fund
  echo "$lock_digest" > "$stamp"
fi
