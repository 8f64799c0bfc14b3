#!/usr/bin/env bash
# The distributed mode on this machine: every app in its own process against Kafka and PostgreSQL.
#   scripts/start-distributed.sh          start (Kafka via scripts/kafka.sh when KAFKA_BROKERS is unset)
#   scripts/start-distributed.sh stop     stop every app it started (and the broker it started)
# Ports: journey-api 3000, checkout 3001, shipment 3002, contact 3003, returns 3004,
# projectors 3005 and 3006 (one consumer group). Logs and pids in .run/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=.run
mkdir -p "$RUN"

stop() {
  if [ -f "$RUN/pids" ]; then
    while read -r pid name; do kill "$pid" 2>/dev/null && echo "stopped $name ($pid)" || true; done <"$RUN/pids"
    rm -f "$RUN/pids"
  fi
  if [ -f "$RUN/started-kafka" ]; then scripts/kafka.sh down; rm -f "$RUN/started-kafka"; fi
}

if [ "${1:-}" = "stop" ]; then stop; exit 0; fi
[ -f "$RUN/pids" ] && { echo "already running (see $RUN/pids); run: $0 stop" >&2; exit 1; }

if [ -z "${KAFKA_BROKERS:-}" ]; then
  scripts/kafka.sh status || { scripts/kafka.sh up; touch "$RUN/started-kafka"; }
  export KAFKA_BROKERS=127.0.0.1:${KAFKA_PORT:-19092}
fi
export JOURNEY_LOG=kafka READ_STORE=postgres
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
[ -d dist ] || npm run build

start() { # name app port
  PORT=$3 node "dist/apps/$2/src/main.js" >"$RUN/$1.log" 2>&1 &
  echo "$! $1" >>"$RUN/pids"
  for _ in $(seq 1 60); do
    grep -q "listening on" "$RUN/$1.log" && { echo "$1 on http://127.0.0.1:$3"; return 0; }
    kill -0 "$!" 2>/dev/null || { echo "$1 failed to start:" >&2; cat "$RUN/$1.log" >&2; stop; exit 1; }
    sleep 0.5
  done
  echo "$1 did not start in 30 s; see $RUN/$1.log" >&2; stop; exit 1
}

start checkout checkout 3001
start shipment shipment 3002
start contact contact 3003
start returns returns 3004
start projector-1 projector 3005
start projector-2 projector 3006
start journey-api journey-api 3000
echo "distributed backbone up; stop it with: $0 stop"
