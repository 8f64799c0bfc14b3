#!/usr/bin/env bash
# The distributed mode on this machine: every app in its own process against Kafka and PostgreSQL.
#   scripts/start-distributed.sh          start (Kafka via scripts/kafka.sh when KAFKA_BROKERS is unset)
#   scripts/start-distributed.sh stop     stop every app it started (and the broker it started)
# Ports from BASE_PORT (default 3000): journey-api BASE_PORT, checkout +1, shipment +2, contact +3, returns +4,
# projectors +5 and +6 (one consumer group); each may be set on its own (JOURNEY_API_PORT, CHECKOUT_PORT,
# SHIPMENT_PORT, CONTACT_PORT, RETURNS_PORT, PROJECTOR_1_PORT, PROJECTOR_2_PORT). Logs and pids in .run/, and the
# apps' URLs in .run/urls.env (examples/worked-journey.sh reads them). Auth is on: the key file is AUTH_KEYS_FILE
# (default .run/auth-keys.json); the first start creates the worked example's keys (examples/create-keys.sh), their
# tokens in .run/tokens.env.
# PostgreSQL: DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=.run
mkdir -p "$RUN"

stop() {
  if [ -f "$RUN/pids" ]; then
    while read -r pid name; do kill "$pid" 2>/dev/null && echo "stopped $name ($pid)" || true; done <"$RUN/pids"
    rm -f "$RUN/pids" "$RUN/urls.env"
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
# Auth on: the apps read one key file; the worked example's keys are made once, their tokens kept in .run/tokens.env.
export AUTH_KEYS_FILE=${AUTH_KEYS_FILE:-$PWD/$RUN/auth-keys.json}
# One master key for every app: it wraps the personal-data keys they share in PostgreSQL (made by the first app).
export PERSONAL_DATA_MASTER_KEY_FILE=${PERSONAL_DATA_MASTER_KEY_FILE:-$PWD/$RUN/personal-data-master.key}
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
[ -d dist ] || npm run build
if [ ! -f "$AUTH_KEYS_FILE" ] || [ ! -f "$RUN/tokens.env" ]; then examples/create-keys.sh "$RUN/tokens.env"; fi

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

BASE_PORT=${BASE_PORT:-3000}
port() { # variable offset: the port of one app
  local value=${!1:-$((BASE_PORT + $2))}
  [[ "$value" =~ ^[0-9]+$ ]] && [ "$value" -ge 1 ] && [ "$value" -le 65535 ] ||
    { echo "$1 must be a port number (1 to 65535), not \"$value\"" >&2; stop; exit 2; }
  echo "$value"
}
api_port=$(port JOURNEY_API_PORT 0)
checkout_port=$(port CHECKOUT_PORT 1)
shipment_port=$(port SHIPMENT_PORT 2)
contact_port=$(port CONTACT_PORT 3)
returns_port=$(port RETURNS_PORT 4)
projector_1_port=$(port PROJECTOR_1_PORT 5)
projector_2_port=$(port PROJECTOR_2_PORT 6)
start checkout checkout "$checkout_port"
start shipment shipment "$shipment_port"
start contact contact "$contact_port"
start returns returns "$returns_port"
start projector-1 projector "$projector_1_port"
start projector-2 projector "$projector_2_port"
start journey-api journey-api "$api_port"
cat >"$RUN/urls.env" <<URLS
API_URL=http://127.0.0.1:$api_port
CHECKOUT_URL=http://127.0.0.1:$checkout_port
SHIPMENT_URL=http://127.0.0.1:$shipment_port
CONTACT_URL=http://127.0.0.1:$contact_port
RETURNS_URL=http://127.0.0.1:$returns_port
URLS
echo "distributed backbone up (URLs in $RUN/urls.env; examples/worked-journey.sh uses them); stop it with: $0 stop"
