#!/usr/bin/env bash
# Entrypoint of hoot/kafka: writes server.properties from the environment into /tmp, formats the data dir the
# first time (a new cluster id is kept in the data dir's meta.properties), then execs the broker (PID 1, so
# SIGTERM shuts it down cleanly).
#
#   KAFKA_ADVERTISED_HOST   host name clients are told to use          [default: the container's IP address]
#   KAFKA_PORT              client (PLAINTEXT) port, all interfaces    [default: 9092]
#   KAFKA_CONTROLLER_PORT   KRaft controller port, 127.0.0.1 only      [default: 9093]
#   KAFKA_NODE_ID           KRaft node id                               [default: 1]
#   KAFKA_DATA_DIR          log dir (a volume)                          [default: /var/lib/kafka/data]
#   KAFKA_CLUSTER_ID        22-char base64url id used when formatting  [default: random]
#   KAFKA_AUTO_CREATE_TOPICS  true for dev and tests                    [default: true]
#   KAFKA_HEAP_OPTS         [default: -Xms128m -Xmx512m]  KAFKA_JAVA_OPTS  extra JVM options
set -euo pipefail

say() { printf 'kafka-entrypoint: %s\n' "$*" >&2; }

port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
node_id="${KAFKA_NODE_ID:-1}"
data_dir="${KAFKA_DATA_DIR:-/var/lib/kafka/data}"
advertised="${KAFKA_ADVERTISED_HOST:-$(hostname -i 2>/dev/null | awk '{print $1}')}"
[[ -n "$advertised" ]] || { say "error: set KAFKA_ADVERTISED_HOST (no container IP found)"; exit 2; }
config="/tmp/kafka/server.properties"

mkdir -p "$data_dir" /tmp/kafka
cat >"$config" <<PROPS
process.roles=broker,controller
node.id=$node_id
controller.quorum.voters=$node_id@127.0.0.1:$controller_port
listeners=PLAINTEXT://0.0.0.0:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://$advertised:$port
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$data_dir
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
num.partitions=1
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=${KAFKA_AUTO_CREATE_TOPICS:-true}
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
background.threads=4
log.cleaner.threads=1
log.cleaner.dedupe.buffer.size=16777216
PROPS

# shellcheck disable=SC2206
jvm=(${KAFKA_HEAP_OPTS:--Xms128m -Xmx512m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError
  -Djava.net.preferIPv4Stack=true -Djava.awt.headless=true -Djava.io.tmpdir=/tmp
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties ${KAFKA_JAVA_OPTS:-})
cp=(-cp '/opt/kafka/lib/*')

if [[ ! -f "$data_dir/meta.properties" ]]; then
  cluster_id="${KAFKA_CLUSTER_ID:-$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | cut -c1-22)}"
  say "formatting $data_dir (cluster id $cluster_id)"
  java "${jvm[@]}" "${cp[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$config" --ignore-formatted >&2
fi
say "starting node $node_id: clients on 0.0.0.0:$port, advertised as $advertised:$port"
exec java "${jvm[@]}" "${cp[@]}" kafka.Kafka "$config"
