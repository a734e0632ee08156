#!/usr/bin/env bash
# local-kafka.sh — a real single-node Apache Kafka 4.x (KRaft, combined
# broker+controller) on 127.0.0.1 for newsflow's integration tests and benches.
#
#   local-kafka.sh start                  start (idempotent); last stdout line = bootstrap address
#   local-kafka.sh stop                   stop and delete the state dir (idempotent)
#   local-kafka.sh status                 exit 0 running, 3 stopped, 1 running but not answering
#   local-kafka.sh freeze | thaw          SIGSTOP / SIGCONT the broker (fault tests: a frozen
#                                         broker keeps its connections open and answers nothing)
#   local-kafka.sh restart                stop the broker (SIGTERM, then SIGKILL) and start it
#                                         again on the same data (topics, offsets, transactions)
#   local-kafka.sh kill9-restart          the same after a SIGKILL (a crash)
#   local-kafka.sh pid                    print the broker's pid
#   local-kafka.sh create-topic NAME N [TopicCommand args...]
#                                         create topic NAME with N partitions, RF 1 (if not exists)
#
# Environment (all optional): KAFKA_PORT (19092), KAFKA_CONTROLLER_PORT (port+1),
# KAFKA_SASL_PORT (port+2: a SASL_PLAINTEXT listener, mechanisms SCRAM-SHA-256 and PLAIN, user
# KAFKA_SASL_USER (newsflow) with password KAFKA_SASL_PASSWORD (newsflow-test-secret); the SCRAM
# credential is created at format time. Note: librdkafka < 2.6.1 (Debian 12 has 2.0.2) cannot
# authenticate with SCRAM to Kafka 4.x brokers (librdkafka#4895); PLAIN works),
# KAFKA_STATE_DIR (/tmp/newsflow-kafka-$KAFKA_PORT), KAFKA_VERSION (4.1.1),
# KAFKA_LOG4J_VERSION (2.24.3), NEWSFLOW_KAFKA_HOME (jar cache),
# KAFKA_START_TIMEOUT (90), KAFKA_STOP_TIMEOUT (30), KAFKA_HEAP_OPTS,
# KAFKA_GC_OPTS (-XX:+UseG1GC -XX:MaxGCPauseMillis=20; e.g. -XX:+UseZGC for latency runs),
# KAFKA_JVM_OPTS, KAFKA_LOG_LEVEL (INFO), KAFKA_AUTO_CREATE_TOPICS (false),
# KAFKA_CLUSTER_ID, JAVA_HOME, MVN. See README.md beside this file.
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)"
readonly SCRIPT_DIR
readonly POM="$SCRIPT_DIR/pom.xml"

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
KAFKA_LOG4J_VERSION="${KAFKA_LOG4J_VERSION:-2.24.3}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_SASL_PORT="${KAFKA_SASL_PORT:-$((KAFKA_PORT + 2))}"
KAFKA_SASL_USER="${KAFKA_SASL_USER:-newsflow}"
KAFKA_SASL_PASSWORD="${KAFKA_SASL_PASSWORD:-newsflow-test-secret}"
KAFKA_STATE_DIR="${KAFKA_STATE_DIR:-${TMPDIR:-/tmp}/newsflow-kafka-$KAFKA_PORT}"
NEWSFLOW_KAFKA_HOME="${NEWSFLOW_KAFKA_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/newsflow/kafka-$KAFKA_VERSION}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_GC_OPTS="${KAFKA_GC_OPTS:--XX:+UseG1GC -XX:MaxGCPauseMillis=20}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
KAFKA_LOG_LEVEL="${KAFKA_LOG_LEVEL:-INFO}"
KAFKA_AUTO_CREATE_TOPICS="${KAFKA_AUTO_CREATE_TOPICS:-false}"
MVN="${MVN:-mvn}"
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="java"
fi

readonly BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
readonly LIB_DIR="$NEWSFLOW_KAFKA_HOME/lib"
readonly LIB_STAMP="$NEWSFLOW_KAFKA_HOME/lib.stamp"
readonly PID_FILE="$KAFKA_STATE_DIR/kafka.pid"
readonly SERVER_LOG="$KAFKA_STATE_DIR/server.log"
readonly CONFIG="$KAFKA_STATE_DIR/server.properties"
readonly MARKER="$KAFKA_STATE_DIR/.newsflow-local-kafka"

log() { printf 'local-kafka: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
  cat >&2 <<EOF
usage: ${0##*/} start | stop | status | freeze | thaw | restart | kill9-restart | pid
       ${0##*/} create-topic NAME PARTITIONS [TopicCommand args...]
  (env: KAFKA_PORT=$KAFKA_PORT KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT KAFKA_STATE_DIR=$KAFKA_STATE_DIR)
EOF
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

validate_env() {
  local v
  for v in KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_SASL_PORT KAFKA_START_TIMEOUT KAFKA_STOP_TIMEOUT; do
    is_uint "${!v}" || die "$v must be a non-negative integer (got '${!v}')"
  done
  ((KAFKA_PORT > 0 && KAFKA_PORT < 65536)) || die "KAFKA_PORT out of range: $KAFKA_PORT"
  ((KAFKA_CONTROLLER_PORT > 0 && KAFKA_CONTROLLER_PORT < 65536)) ||
    die "KAFKA_CONTROLLER_PORT out of range: $KAFKA_CONTROLLER_PORT"
  ((KAFKA_PORT != KAFKA_CONTROLLER_PORT)) || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must differ"
  [[ "$KAFKA_AUTO_CREATE_TOPICS" == true || "$KAFKA_AUTO_CREATE_TOPICS" == false ]] ||
    die "KAFKA_AUTO_CREATE_TOPICS must be true or false"
  [[ "$KAFKA_STATE_DIR" == /* ]] || die "KAFKA_STATE_DIR must be an absolute path (got '$KAFKA_STATE_DIR')"
  [[ "$KAFKA_STATE_DIR" != / ]] || die "KAFKA_STATE_DIR must not be /"
}

# Serialise start/stop for one port (fd 9) and jar fetching for one cache
# dir (fd 8). Both fds are closed for the broker JVM (see start_broker) so it
# never holds a lock. Without flock(1) there is no locking.
lock_state() {
  command -v flock >/dev/null 2>&1 || return 0
  local file="${KAFKA_STATE_DIR%/}.lock"
  mkdir -p -- "$(dirname -- "$file")"
  exec 9>"$file"
  flock -w 300 9 || die "timed out waiting for lock $file"
}

lock_cache() {
  command -v flock >/dev/null 2>&1 || return 0
  mkdir -p -- "$NEWSFLOW_KAFKA_HOME"
  exec 8>"$NEWSFLOW_KAFKA_HOME/.lock"
  flock -w 600 8 || die "timed out waiting for lock $NEWSFLOW_KAFKA_HOME/.lock"
}

# ---------------------------------------------------------------- process --

read_pid() {
  local pid=""
  [[ -r "$PID_FILE" ]] && read -r pid <"$PID_FILE" || true
  is_uint "$pid" && printf '%s\n' "$pid"
}

# true if PID is alive and is the broker started with our config (guards
# against a recycled pid; a zombie has an empty cmdline, so it counts as dead).
# Only valid once the child has exec'd java (see wait_ready).
pid_is_ours() {
  local pid="$1" cmdline
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -d /proc/self ]] || return 0 # no procfs: trust kill -0
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cmdline" == *kafka.Kafka*"$CONFIG"* ]]
}

# true if PID exists and is not a zombie (a child that died during startup
# stays a zombie of this script until we exit).
pid_alive() {
  local pid="$1" stat=""
  kill -0 "$pid" 2>/dev/null || return 1
  [[ -r "/proc/$pid/stat" ]] || return 0
  stat="$(cat "/proc/$pid/stat" 2>/dev/null || true)"
  stat="${stat##*) }"
  [[ -n "$stat" && "${stat:0:1}" != Z ]]
}

running_pid() {
  local pid
  pid="$(read_pid)" || return 1
  pid_is_ours "$pid" || return 1
  printf '%s\n' "$pid"
}

port_open() { # port_open PORT
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Does the broker answer a metadata request (and list itself)?
broker_answers() {
  port_open "$KAFKA_PORT" || return 1
  if command -v kcat >/dev/null 2>&1; then
    local md
    md="$(kcat -b "$BOOTSTRAP" -L -m 5 2>/dev/null)" || return 1
    [[ "$md" == *"broker 1 at "* ]]
  else
    # No kcat: the port is open; the broker logs this line once it is
    # registered with the controller and serving requests.
    grep -q 'Kafka Server started' "$SERVER_LOG" 2>/dev/null
  fi
}

# ------------------------------------------------------------------- jars --

ensure_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Kafka $KAFKA_VERSION needs Java 17+); set JAVA_HOME"
  local ver
  ver="$("$JAVA" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1)"
  if is_uint "${ver:-x}" && ((ver < 17)); then
    die "Java $ver found; Kafka $KAFKA_VERSION brokers need Java 17+ (set JAVA_HOME)"
  fi
}

lib_stamp() {
  printf 'kafka=%s log4j=%s pom=%s\n' "$KAFKA_VERSION" "$KAFKA_LOG4J_VERSION" \
    "$(sha256sum "$POM" | cut -d' ' -f1)"
}

ensure_jars() {
  local want
  want="$(lib_stamp)"
  if [[ -f "$LIB_STAMP" && "$(cat "$LIB_STAMP")" == "$want" ]] &&
    compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null; then
    return 0
  fi
  lock_cache
  # someone else may have filled the cache while we waited
  if [[ -f "$LIB_STAMP" && "$(cat "$LIB_STAMP")" == "$want" ]] &&
    compgen -G "$LIB_DIR/kafka_2.13-*.jar" >/dev/null; then
    exec 8>&-
    return 0
  fi
  command -v "$MVN" >/dev/null 2>&1 ||
    die "Maven ('$MVN') not found; it is needed once to fetch the Kafka $KAFKA_VERSION jars into $LIB_DIR"
  log "fetching Apache Kafka $KAFKA_VERSION jars with Maven into $LIB_DIR (first run only)..."
  local tmp mvnlog
  tmp="$(mktemp -d "$NEWSFLOW_KAFKA_HOME/lib.tmp.XXXXXX")"
  mvnlog="$NEWSFLOW_KAFKA_HOME/mvn.log"
  local -a args=(-q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime
    "-DoutputDirectory=$tmp" "-Dkafka.version=$KAFKA_VERSION" "-Dlog4j.version=$KAFKA_LOG4J_VERSION")
  # Offline first (everything may already be in ~/.m2), then online.
  if ! "$MVN" -o "${args[@]}" >"$mvnlog" 2>&1; then
    rm -rf -- "$tmp" && mkdir -p -- "$tmp"
    if ! "$MVN" "${args[@]}" >"$mvnlog" 2>&1; then
      sed 's/\x1b\[[0-9;]*m//g' "$mvnlog" | grep -v '^[[:space:]]*$' | tail -n 25 >&2 || true
      rm -rf -- "$tmp" "$mvnlog"
      die "Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (+ log4j $KAFKA_LOG4J_VERSION) from $POM; check network access to Maven Central or ~/.m2/settings.xml mirrors (try KAFKA_VERSION=4.0.0)"
    fi
  fi
  rm -f -- "$mvnlog"
  compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || { rm -rf -- "$tmp"; die "Maven ran but no kafka_2.13 jar was copied"; }
  rm -rf -- "$LIB_DIR"
  mv -- "$tmp" "$LIB_DIR"
  printf '%s\n' "$want" >"$LIB_STAMP"
  log "cached $(find "$LIB_DIR" -name '*.jar' | wc -l) jars in $LIB_DIR"
  exec 8>&-
}

# --------------------------------------------------------------- state dir --

# Only ever delete a directory this script created (marker file) or an empty one.
remove_state_dir() {
  [[ -d "$KAFKA_STATE_DIR" ]] || return 0
  if [[ -f "$MARKER" ]] || [[ -z "$(ls -A -- "$KAFKA_STATE_DIR")" ]]; then
    rm -rf -- "$KAFKA_STATE_DIR"
  else
    die "refusing to delete $KAFKA_STATE_DIR: not created by local-kafka.sh (no $(basename -- "$MARKER"))"
  fi
}

write_configs() {
  cat >"$CONFIG" <<EOF
# Generated by ops/kafka/local-kafka.sh — single-node KRaft (combined broker+controller).
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PORT
sasl.enabled.mechanisms=SCRAM-SHA-256,PLAIN
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$KAFKA_SASL_USER="$KAFKA_SASL_PASSWORD";
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT
log.dirs=$KAFKA_STATE_DIR/data
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=$KAFKA_AUTO_CREATE_TOPICS
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
EOF

  # Broker log: everything goes to stdout, which start_broker sends to server.log.
  cat >"$KAFKA_STATE_DIR/log4j2.properties" <<EOF
status = warn
name = newsflow-local-kafka
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = $KAFKA_LOG_LEVEL
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = WARN
EOF

  # CLI tools (create-topic): warnings only, to stderr.
  cat >"$KAFKA_STATE_DIR/tools-log4j2.properties" <<'EOF'
status = warn
name = newsflow-local-kafka-tools
appender.err.type = Console
appender.err.name = ERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = ERR
EOF
}

# A Kafka cluster id is a base64url (no padding) random 128-bit UUID; like
# Kafka's Uuid.randomUuid() avoid ids starting with '-' (they look like flags).
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* && ${#id} -eq 22 ]] && break
  done
  printf '%s\n' "$id"
}

# ------------------------------------------------------------------ start --

tail_log() {
  if [[ -f "$SERVER_LOG" ]]; then
    log "---- last 40 lines of $SERVER_LOG ----"
    tail -n 40 -- "$SERVER_LOG" >&2 || true
    log "----"
  fi
}

start_broker() {
  local cluster_id fmt_out pid
  remove_state_dir
  mkdir -p -- "$KAFKA_STATE_DIR/data"
  : >"$MARKER"
  write_configs

  cluster_id="${KAFKA_CLUSTER_ID:-$(new_cluster_id)}"
  log "formatting storage in $KAFKA_STATE_DIR/data (cluster id $cluster_id)"
  if ! fmt_out="$("$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    "-Dlog4j2.configurationFile=$KAFKA_STATE_DIR/tools-log4j2.properties" \
    -cp "$LIB_DIR/*" kafka.tools.StorageTool format --standalone \
    --add-scram "SCRAM-SHA-256=[name=$KAFKA_SASL_USER,password=$KAFKA_SASL_PASSWORD]" \
    -t "$cluster_id" -c "$CONFIG" 2>&1)"; then
    printf '%s\n' "$fmt_out" >&2
    die "kafka.tools.StorageTool format failed"
  fi

  launch_jvm
}

# Starts the broker JVM on the existing state dir (formatted, configs written).
launch_jvm() {
  local pid
  log "starting Kafka $KAFKA_VERSION broker+controller on $BOOTSTRAP (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)"
  local -a heap gc jvm
  read -r -a heap <<<"$KAFKA_HEAP_OPTS"
  read -r -a gc <<<"$KAFKA_GC_OPTS"
  read -r -a jvm <<<"$KAFKA_JVM_OPTS"
  # stdin/stdout/stderr all detached so `$(local-kafka.sh start)` returns;
  # fds 8/9 (our locks) closed so the JVM never holds them.
  nohup "$JAVA" ${heap[@]+"${heap[@]}"} ${gc[@]+"${gc[@]}"} \
    -Djava.awt.headless=true "-Dkafka.logs.dir=$KAFKA_STATE_DIR" \
    "-Dlog4j2.configurationFile=$KAFKA_STATE_DIR/log4j2.properties" \
    ${jvm[@]+"${jvm[@]}"} \
    -cp "$LIB_DIR/*" kafka.Kafka "$CONFIG" \
    </dev/null >"$SERVER_LOG" 2>&1 8>&- 9>&- &
  pid=$!
  printf '%s\n' "$pid" >"$PID_FILE"
  log "broker pid $pid, log $SERVER_LOG"
}

wait_ready() {
  local pid="$1" deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    # (not pid_is_ours: right after the fork the child's cmdline is still ours)
    if ! pid_alive "$pid"; then
      tail_log
      die "broker process $pid exited during startup (log kept in $SERVER_LOG)"
    fi
    if broker_answers; then
      return 0
    fi
    sleep 0.5
  done
  tail_log
  kill_broker "$pid"
  die "broker did not answer a metadata request on $BOOTSTRAP within ${KAFKA_START_TIMEOUT}s; stopped it, log kept in $SERVER_LOG"
}

cmd_start() {
  validate_env
  lock_state
  local pid t0=$SECONDS
  if pid="$(running_pid)"; then
    if ! broker_answers; then
      log "broker pid $pid is running but not answering yet; waiting"
      wait_ready "$pid"
    fi
    log "already running (pid $pid)"
    printf '%s\n' "$BOOTSTRAP"
    return 0
  fi
  if port_open "$KAFKA_PORT"; then
    die "port $KAFKA_PORT is already in use by another process (not a broker from $KAFKA_STATE_DIR); set KAFKA_PORT"
  fi
  if port_open "$KAFKA_CONTROLLER_PORT"; then
    die "controller port $KAFKA_CONTROLLER_PORT is already in use; set KAFKA_CONTROLLER_PORT"
  fi
  if port_open "$KAFKA_SASL_PORT"; then
    die "SASL port $KAFKA_SASL_PORT is already in use; set KAFKA_SASL_PORT"
  fi
  ensure_java
  ensure_jars
  start_broker
  pid="$(read_pid)"
  wait_ready "$pid"
  log "ready after $((SECONDS - t0))s"
  printf '%s\n' "$BOOTSTRAP"
}

# ------------------------------------------------------------- stop/status --

# SIGTERM (controlled shutdown), then SIGKILL after KAFKA_STOP_TIMEOUT seconds.
kill_broker() {
  local pid="$1" deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  log "stopping broker pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  while pid_alive "$pid" && ((SECONDS < deadline)); do
    sleep 0.2
  done
  if pid_alive "$pid"; then
    log "broker did not exit within ${KAFKA_STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  fi
  log "stopped"
}

cmd_stop() {
  validate_env
  lock_state
  local pid
  if pid="$(running_pid)"; then
    kill_broker "$pid"
  else
    log "not running"
  fi
  remove_state_dir
}

cmd_freeze() {
  validate_env
  local pid
  pid="$(running_pid)" || die "broker is not running on $BOOTSTRAP"
  kill -STOP "$pid"
  log "broker pid $pid frozen (SIGSTOP)"
}

cmd_thaw() {
  validate_env
  local pid
  pid="$(running_pid)" || die "broker is not running on $BOOTSTRAP"
  kill -CONT "$pid"
  log "broker pid $pid thawed (SIGCONT)"
}

# Restart on the same data: $1 = TERM (controlled shutdown) or KILL (a crash).
cmd_restart() {
  validate_env
  lock_state
  local pid signal="${1:-TERM}" t0=$SECONDS
  [[ -f "$MARKER" && -f "$CONFIG" ]] || die "no broker state in $KAFKA_STATE_DIR; run start first"
  if pid="$(running_pid)"; then
    kill -CONT "$pid" 2>/dev/null || true
    if [[ "$signal" == KILL ]]; then
      log "killing broker pid $pid (SIGKILL)"
      kill -KILL "$pid" 2>/dev/null || true
      while pid_alive "$pid"; do sleep 0.1; done
    else
      kill_broker "$pid"
    fi
  fi
  ensure_java
  [[ -f "$SERVER_LOG" ]] && mv -f -- "$SERVER_LOG" "$SERVER_LOG.previous"
  launch_jvm
  pid="$(read_pid)"
  wait_ready "$pid"
  log "restarted on the same data after $((SECONDS - t0))s"
  printf '%s\n' "$BOOTSTRAP"
}

cmd_status() {
  validate_env
  local pid
  if ! pid="$(running_pid)"; then
    printf 'stopped %s\n' "$BOOTSTRAP"
    return 3
  fi
  if broker_answers; then
    printf 'running %s pid=%s state=%s\n' "$BOOTSTRAP" "$pid" "$KAFKA_STATE_DIR"
    return 0
  fi
  printf 'unresponsive %s pid=%s state=%s\n' "$BOOTSTRAP" "$pid" "$KAFKA_STATE_DIR"
  return 1
}

# ------------------------------------------------------------ create-topic --

cmd_create_topic() {
  (($# >= 2)) || { usage; die "create-topic needs NAME and PARTITIONS"; }
  local name="$1" parts="$2"
  shift 2
  validate_env
  if ! is_uint "$parts" || ((10#$parts == 0)); then
    die "PARTITIONS must be a positive integer (got '$parts')"
  fi
  running_pid >/dev/null || die "broker is not running on $BOOTSTRAP; run '${0##*/} start' first"
  ensure_java
  ensure_jars
  "$JAVA" -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    "-Dlog4j2.configurationFile=$KAFKA_STATE_DIR/tools-log4j2.properties" \
    -cp "$LIB_DIR/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$BOOTSTRAP" --create --if-not-exists \
    --topic "$name" --partitions "$parts" --replication-factor 1 "$@" >&2
  log "topic '$name' present ($parts partitions requested) on $BOOTSTRAP"
}

main() {
  local cmd="${1:-}"
  (($# > 0)) && shift
  case "$cmd" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    freeze) cmd_freeze ;;
    thaw) cmd_thaw ;;
    restart) cmd_restart TERM ;;
    kill9-restart) cmd_restart KILL ;;
    pid)
      validate_env
      running_pid
      ;;
    create-topic) cmd_create_topic "$@" ;;
    -h | --help | help) usage ;;
    *)
      usage
      exit 2
      ;;
  esac
}

main "$@"
