#!/usr/bin/env bash
# A real single-node Apache Kafka broker (KRaft: broker + controller in one process) on loopback,
# for tests and the distributed mode on a machine without Docker.
#   scripts/kafka.sh up       resolve the broker jars with Maven (cached), format storage, start, wait
#   scripts/kafka.sh down     stop it cleanly (SIGTERM, then SIGKILL after 30 s)
#   scripts/kafka.sh status   exit 0 when it accepts connections
# Settings: KAFKA_VERSION (4.4.0), KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (19093),
# KAFKA_STATE_DIR (/tmp/journey-backbone-kafka), KAFKA_CACHE_DIR (~/.cache/journey-backbone).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
VERSION=${KAFKA_VERSION:-4.4.0}
PORT=${KAFKA_PORT:-19092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-19093}
STATE=${KAFKA_STATE_DIR:-/tmp/journey-backbone-kafka}
LIBS=${KAFKA_CACHE_DIR:-$HOME/.cache/journey-backbone}/kafka-$VERSION/libs
PIDFILE=$STATE/broker.pid

accepting() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

resolve() {
  if [ ! -f "$LIBS/.complete" ]; then
    echo "kafka: resolving org.apache.kafka:kafka_2.13:$VERSION and its dependencies with Maven" >&2
    mkdir -p "$LIBS"
    mvn -q -B -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
      -Dkafka.version="$VERSION" -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
    touch "$LIBS/.complete"
  fi
}

up() {
  if running && accepting; then echo "kafka: already running on 127.0.0.1:$PORT" >&2; return 0; fi
  resolve
  mkdir -p "$STATE"
  cat > "$STATE/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$STATE/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
PROPS
  if [ ! -f "$STATE/data/meta.properties" ]; then
    java -cp "$LIBS/*" kafka.tools.StorageTool format -t "$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid)" \
      -c "$STATE/server.properties" >"$STATE/format.log" 2>&1 || { cat "$STATE/format.log" >&2; exit 1; }
  fi
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -cp "$LIBS/*" kafka.Kafka "$STATE/server.properties" >"$STATE/broker.log" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if accepting; then echo "kafka: $VERSION up on 127.0.0.1:$PORT (pid $(cat "$PIDFILE"))" >&2; return 0; fi
    running || { echo "kafka: broker exited; see $STATE/broker.log" >&2; tail -20 "$STATE/broker.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "kafka: not accepting connections after 60 s; see $STATE/broker.log" >&2
  exit 1
}

down() {
  running || { rm -f "$PIDFILE"; return 0; }
  local pid; pid=$(cat "$PIDFILE")
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
  echo "kafka: stopped" >&2
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) running && accepting ;;
  reset) down; rm -rf "$STATE" ;;
  *) echo "usage: $0 up|down|status|reset" >&2; exit 2 ;;
esac
