#!/usr/bin/env bash
# Run a command against a throw-away PostgreSQL cluster on 127.0.0.1.
# Installs Debian's postgresql when missing; the cluster is removed afterwards,
# also when the command fails. The command sees KRSD_TEST_DATABASE_URL.
set -euo pipefail

find_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x $dir/initdb ]] && { echo "$dir"; return 0; }
  done
  return 1
}

if ! PGBIN=$(find_bin); then
  echo "== Installing Debian's postgresql"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  PGBIN=$(find_bin)
fi

# PostgreSQL refuses to run as root: use the postgres account then.
AS=()
if [[ $(id -u) -eq 0 ]]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  AS=(runuser -u postgres --)
fi

DATA=$(mktemp -d /tmp/krsd-pg.XXXXXX)
chmod 755 "$DATA"
[[ ${#AS[@]} -gt 0 ]] && chown postgres "$DATA"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  "${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA/cluster" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

"${AS[@]}" "$PGBIN/initdb" -D "$DATA/cluster" -U krsd --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS[@]}" "$PGBIN/pg_ctl" -D "$DATA/cluster" -l "$DATA/server.log" -w -o \
  "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U krsd krsd_test

VERSION=$("$PGBIN/postgres" --version)
echo "== PostgreSQL server: $VERSION on 127.0.0.1:$PORT (data in $DATA)"
export KRSD_TEST_DATABASE_URL="postgresql+psycopg://krsd@127.0.0.1:$PORT/krsd_test"
set +e
"$@"
status=$?
set -e
exit $status
