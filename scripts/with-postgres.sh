#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL 15 server: initdb into a temporary directory, listen on
# loopback only (a free port), export DATABASE_URL, run the command, then stop the server and delete
# the directory — also when the command fails. Exits with the command's status.
#   scripts/with-postgres.sh .venv/bin/pytest
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
[ -x "$PG_BIN/postgres" ] || { echo "PostgreSQL 15 not found in $PG_BIN (apt-get install postgresql-15)" >&2; exit 1; }

dir=$(mktemp -d -t zhijiao-pg.XXXXXX)
chmod 755 "$dir"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root; use the postgres system user that the Debian package creates.
  chown postgres "$dir"
  as_pg=(runuser -u postgres --)
fi

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$PG_BIN/initdb" -D "$dir/data" -U zhijiao --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# fsync off: a test server that dies loses nothing of value, and the suite runs much faster.
"${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export DATABASE_URL="postgres://zhijiao@127.0.0.1:$port/postgres"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
set +e
"$@"
status=$?
set -e
exit $status
