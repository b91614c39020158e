#!/usr/bin/env bash
# Run a command beside a throw-away Redis server on 127.0.0.1 (the rate limits' shared store).
# Installs Debian's redis-server when missing; nothing is written to disk and the server
# stops afterwards, also when the command fails. The command sees KRSD_TEST_REDIS_URL.
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1; then
  echo "== Installing Debian's redis-server"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo -n"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

DATA=$(mktemp -d /tmp/krsd-redis.XXXXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

redis-server --bind 127.0.0.1 --port "$PORT" --save '' --appendonly no \
  --dir "$DATA" --logfile "$DATA/redis.log" --daemonize no &
PID=$!

cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM

# Ready when it answers PING (at most ten seconds).
for _ in $(seq 100); do
  if python3 - "$PORT" <<'EOF' 2>/dev/null; then break; fi
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    s.sendall(b"PING\r\n")
    sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
EOF
  kill -0 "$PID" 2>/dev/null || { cat "$DATA/redis.log" >&2; exit 1; }
  sleep 0.1
done

VERSION=$(redis-server --version | awk '{print $3}')
echo "== Redis server: $VERSION on 127.0.0.1:$PORT"
export KRSD_TEST_REDIS_URL="redis://127.0.0.1:$PORT"
set +e
"$@"
status=$?
set -e
exit $status
