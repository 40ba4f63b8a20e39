#!/usr/bin/env bash
# A throw-away PostgreSQL server in a folder, for trying trackerd on PostgreSQL by hand (the tests
# start their own: tests/support/pg_cluster.h).
#   scripts/pg-server.sh start DIR   the first time initdb DIR/data and create the database
#                                    trackerd; start the server; print the database's URI
#   scripts/pg-server.sh stop DIR    stop it (DIR stays: start it again, or rm -rf DIR)
#   scripts/pg-server.sh uri DIR     print the URI
# The server listens only on a Unix socket in DIR (no TCP); PORT (default 5432, read at the
# first start) only names the socket file DIR/.s.PGSQL.<port>. Superuser trackerd, trust
# authentication, UTF8, C locale (as the tests). Binaries: $TRACKERD_PG_BIN_DIR, else initdb and
# pg_ctl from PATH, else the newest /usr/lib/postgresql/*/bin (scripts/install-deps.sh).
# As root, initdb and the server run as the user postgres (they refuse root); DIR becomes its.
set -euo pipefail
usage() { sed -n '2,14p' "$0" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd=$1
case $cmd in start | stop | uri) ;; *) usage ;; esac
[ "$cmd" = start ] && mkdir -p "$2"
[ -d "$2" ] || { echo "pg-server.sh: no folder $2" >&2; exit 1; }
dir=$(cd "$2" && pwd -P)
data=$dir/data

if [ -n "${TRACKERD_PG_BIN_DIR:-}" ]; then
  initdb=$TRACKERD_PG_BIN_DIR/initdb pg_ctl=$TRACKERD_PG_BIN_DIR/pg_ctl
elif command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
  initdb=$(command -v initdb) pg_ctl=$(command -v pg_ctl)
else
  initdb="" pg_ctl=""
  for bin in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5 -V); do
    [ -x "$bin/initdb" ] && initdb=$bin/initdb pg_ctl=$bin/pg_ctl
  done
fi
if [ ! -x "$initdb" ] || [ ! -x "$pg_ctl" ]; then
  echo "pg-server.sh: no PostgreSQL server binaries (initdb, pg_ctl): run scripts/install-deps.sh" >&2
  exit 1
fi
# createdb sits next to the real pg_ctl (PATH may hold a symlink to it only).
createdb=$(dirname "$(readlink -f "$pg_ctl")")/createdb

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
running() { as_owner "$pg_ctl" status -D "$data" >/dev/null 2>&1; }
port() { sed -n "s/^port = \([0-9]*\).*/\1/p" "$data/postgresql.conf" | tail -n 1; }
uri() {
  [ -f "$data/postgresql.conf" ] || { echo "pg-server.sh: no cluster in $dir" >&2; exit 1; }
  echo "postgresql://trackerd@/trackerd?host=$dir&port=$(port)"
}

case $cmd in
  start)
    # The socket's path must fit in sun_path (108 bytes).
    if [ $((${#dir} + 22)) -ge 108 ]; then
      echo "pg-server.sh: $dir is too long a path for the socket; pick a shorter one" >&2
      exit 1
    fi
    fresh=false
    if [ ! -f "$data/PG_VERSION" ]; then
      if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
        runuser -u postgres -- test -w "$dir" || {
          echo "pg-server.sh: the user postgres cannot reach $dir (a parent folder closed to it?)" >&2
          exit 1
        }
      fi
      (cd "$dir" && as_owner "$initdb" -D "$data" --auth=trust --username=trackerd --encoding=UTF8 \
        --locale=C >"$dir/initdb.log" 2>&1) || { cat "$dir/initdb.log" >&2; exit 1; }
      {
        echo ""
        echo "# scripts/pg-server.sh: only a Unix socket, in $dir"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '${dir//\'/\'\'}'"
        echo "port = ${PORT:-5432}"
      } >>"$data/postgresql.conf"
      fresh=true
    fi
    if ! running; then
      (cd "$dir" && as_owner "$pg_ctl" start -D "$data" -l "$dir/server.log" -w -t 60 >/dev/null) || {
        tail -n 20 "$dir/server.log" >&2
        exit 1
      }
    fi
    if $fresh; then
      (cd "$dir" && as_owner "$createdb" -h "$dir" -p "$(port)" -U trackerd trackerd)
    fi
    uri
    ;;
  stop)
    if running; then
      (cd "$dir" && as_owner "$pg_ctl" stop -D "$data" -m fast -w -t 60 >/dev/null)
      echo "stopped; the data stays in $data (rm -rf $dir to throw it away)"
    else
      echo "not running"
    fi
    ;;
  uri) uri ;;
esac
