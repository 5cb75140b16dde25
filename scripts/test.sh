#!/usr/bin/env bash
# Installs everything the tests need on a bare machine (Chromium, PostgreSQL), then runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
fi
python3 -m pip install -q -e '.[test]'
python3 -m ruff check marsad tests bench scripts
# The archive tests run on SQLite and on PostgreSQL: without a server given, one of our own.
if [ -z "${MARSAD_TEST_PG:-}" ]; then
  eval "$(bash scripts/postgres.sh start)"
  trap 'bash scripts/postgres.sh stop' EXIT
fi
python3 -m pytest "$@"
