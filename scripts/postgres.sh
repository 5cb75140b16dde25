#!/usr/bin/env bash
# A throw-away PostgreSQL server for the tests, in a temporary folder, on a loopback port.
#
#   eval "$(bash scripts/postgres.sh start)"   # prints the exports: MARSAD_TEST_PG (a database URL),
#                                               # MARSAD_TEST_PG_DATA (its folder)
#   bash scripts/postgres.sh restart            # the server of MARSAD_TEST_PG_DATA (a fault test uses it)
#   bash scripts/postgres.sh stop               # stops it and removes its folder
#
# Installs Debian's postgresql package when no initdb is found. The server refuses to run as root,
# so as root it runs as the "postgres" user (created if missing). Only loopback, the user marsad
# trusted: for tests, never for data.
set -euo pipefail

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

bin_dir() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$found" ] && [ -x "$found/initdb" ]; then echo "$found"; return; fi
  if command -v initdb >/dev/null 2>&1; then dirname "$(command -v initdb)"; return; fi
  return 1
}

ensure_installed() {
  if ! bin_dir >/dev/null; then
    echo "installing PostgreSQL (Debian package postgresql)" >&2
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
}

server_user() {
  if [ "$(id -u)" != 0 ]; then id -un; return; fi
  if ! id postgres >/dev/null 2>&1; then
    useradd --system --home-dir /nonexistent --shell /usr/sbin/nologin postgres >&2
  fi
  echo postgres
}

as_user() {  # as_user USER CMD...: run CMD as USER (as ourselves when that is who we are)
  local user=$1; shift
  if [ "$(id -un)" = "$user" ]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  ensure_installed
  local bin user data port
  bin=$(bin_dir)
  user=$(server_user)
  data=$(mktemp -d "${TMPDIR:-/tmp}/marsad-pg.XXXXXX")
  chown "$user" "$data"
  chmod 700 "$data"
  port=$(free_port)
  as_user "$user" "$bin/initdb" -D "$data/db" -U marsad --auth=trust -E UTF8 --locale=C.UTF-8 >"$data/initdb.log" 2>&1 \
    || { cat "$data/initdb.log" >&2; exit 1; }
  cat >>"$data/db/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
  # The tests' user is trusted; any other must give its password (a test checks the wrong one).
  cat >"$data/db/pg_hba.conf" <<EOF
local all all trust
host all marsad 127.0.0.1/32 trust
host all all 127.0.0.1/32 scram-sha-256
EOF
  as_user "$user" "$bin/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 start >&2 \
    || { cat "$data/server.log" >&2; exit 1; }
  as_user "$user" "$bin/psql" -h 127.0.0.1 -p "$port" -U marsad -d postgres -qc "CREATE DATABASE marsad_test" >&2
  echo "export MARSAD_TEST_PG=postgresql://marsad@127.0.0.1:$port/marsad_test"
  echo "export MARSAD_TEST_PG_DATA=$data"
}

pg_ctl_of_data() {  # pg_ctl_of_data ARGS...: pg_ctl on the server of MARSAD_TEST_PG_DATA, as its owner
  local data=${MARSAD_TEST_PG_DATA:?set MARSAD_TEST_PG_DATA to the folder that start printed}
  as_user "$(stat -c %U "$data")" "$(bin_dir)/pg_ctl" -D "$data/db" -l "$data/server.log" -w -t 60 "$@" >&2
}

case "${1:-}" in
  start) start ;;
  restart) pg_ctl_of_data -m fast restart ;;
  stop)
    pg_ctl_of_data -m fast stop || true
    rm -rf "${MARSAD_TEST_PG_DATA:?}"
    ;;
  *) echo "usage: $0 start|restart|stop" >&2; exit 2 ;;
esac
