#!/usr/bin/env bash
# A real Spark standalone cluster on this machine, from the Maven Central jars alone (no Spark distribution):
# a master and N workers on 127.0.0.1, a generated Parquet data set, the xent4j evaluation submitted to the
# cluster, its report printed; the daemons are stopped by their process ids on the way out, whatever happens.
#
#   mvn -q -B -pl xent4j-spark -am package -DskipTests     # once: target/spark-home/jars and target/app-jars
#   xent4j-spark/cluster/spark-cluster.sh [--rows N] [--classes C] [--workers N] [--data PATH] [--json] [--work DIR]
#
# --data PATH evaluates existing Parquet (logits array<float>, label int) instead of generating it.
# Environment: JAVA (default: java on PATH), SPARK_HOME (default: the module's target/spark-home, whose jars/
# holds Spark; point it at another set of jars, e.g. Spark 4.1's, to run the same xent4j jar on it).
set -euo pipefail

module=$(cd "$(dirname "$0")/.." && pwd)
rows=200000 classes=10 workers=2 json="" data="" work=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) rows=$2; shift 2 ;;
    --classes) classes=$2; shift 2 ;;
    --workers) workers=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --json) json=--json; shift ;;
    --work) work=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "spark-cluster.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

JAVA=${JAVA:-java}
export SPARK_HOME=${SPARK_HOME:-$module/target/spark-home}
export SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.13
app=$(ls "$module"/target/xent4j-spark-*.jar 2>/dev/null | grep -v -e '-sources' -e '-javadoc' -e '-tests' | head -n1 || true)
if [ ! -d "$SPARK_HOME/jars" ] || [ -z "$app" ] || [ ! -d "$module/target/app-jars" ]; then
  echo "spark-cluster.sh: no Spark jars or xent4j jar; run first: mvn -q -B -pl xent4j-spark -am package -DskipTests" >&2
  exit 2
fi
app_jars=$(ls "$module"/target/app-jars/*.jar | paste -sd, -)

[ -n "$work" ] || work=$(mktemp -d "${TMPDIR:-/tmp}/xent4j-cluster.XXXXXX")
mkdir -p "$work/logs" "$work/conf"
# INFO for the daemons: their readiness lines ("elected leader", "registered with master") are INFO
cat > "$work/conf/log4j2-daemon.properties" <<'PROPS'
rootLogger.level = info
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
PROPS
sed 's/rootLogger.level = info/rootLogger.level = warn/' "$work/conf/log4j2-daemon.properties" > "$work/conf/log4j2-submit.properties"
printf 'logger.xent4j.name = io.github.xent4j\nlogger.xent4j.level = info\n' >> "$work/conf/log4j2-submit.properties"

# Spark's launcher adds these module flags (JavaModuleOptions); without a launcher script, we add them.
flags="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
 --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
 --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
 --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED
 --add-opens=java.base/sun.util.calendar=ALL-UNNAMED --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED
 -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"
cp="$SPARK_HOME/jars/*"

pids=()
names=()
stop_all() {
  local i
  for i in "${!pids[@]}"; do
    kill "${pids[$i]}" 2>/dev/null || true
  done
  for i in "${!pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "${pids[$i]}" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "${pids[$i]}" 2>/dev/null; then kill -9 "${pids[$i]}" 2>/dev/null || true; fi
    echo "stopped ${names[$i]} (pid ${pids[$i]})" >&2
  done
}
trap stop_all EXIT
trap 'exit 130' INT TERM

daemon() {   # name, class, args...
  local name=$1 cls=$2; shift 2
  # shellcheck disable=SC2086
  "$JAVA" $flags -Xmx512m -Dlog4j2.configurationFile="$work/conf/log4j2-daemon.properties" -cp "$cp" "$cls" "$@" \
    > "$work/logs/$name.log" 2>&1 &
  pids+=("$!"); names+=("$name")
}

wait_for() {   # log file, pattern, what
  for _ in $(seq 1 600); do
    if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "spark-cluster.sh: timed out waiting for $3; its log:" >&2; tail -n 30 "$1" >&2; exit 1
}

start=$(date +%s)
daemon master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port 0 --webui-port 0
wait_for "$work/logs/master.log" "I have been elected leader" "the master"
master=$(grep -o 'spark://127\.0\.0\.1:[0-9]*' "$work/logs/master.log" | head -n1)
echo "master $master up after $(( $(date +%s) - start )) s (pid ${pids[0]})" >&2
for i in $(seq 1 "$workers"); do
  daemon "worker-$i" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --port 0 --webui-port 0 --cores 1 --memory 1g \
    --work-dir "$work/worker-$i" "$master"
done
for i in $(seq 1 "$workers"); do
  wait_for "$work/logs/worker-$i.log" "Successfully registered with master" "worker $i"
done
echo "$workers workers registered after $(( $(date +%s) - start )) s" >&2

submit() {
  # shellcheck disable=SC2086
  "$JAVA" $flags --add-modules=jdk.incubator.vector -Xmx1g -Dlog4j2.configurationFile="$work/conf/log4j2-submit.properties" \
    -cp "$cp" org.apache.spark.deploy.SparkSubmit --master "$master" --deploy-mode client \
    --class io.github.xent4j.spark.XentSparkMain --jars "$app_jars" \
    --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --conf spark.ui.enabled=false \
    --conf spark.executor.memory=768m --conf spark.executor.cores=1 \
    --conf spark.executor.extraJavaOptions=--add-modules=jdk.incubator.vector \
    "$app" "$@"
}

if [ -z "$data" ]; then
  # one application: write the data set, then evaluate it (one driver start, not two)
  data="$work/data"
  submit generate "$data" --rows "$rows" --classes "$classes" --partitions $((2 * workers)) --then evaluate "$data" $json
else
  submit evaluate "$data" $json
fi
echo "generated and evaluated after $(( $(date +%s) - start )) s" >&2
# each executor logs its kernels once, into its worker's work directory
grep -h "xent4j kernels:" "$work"/worker-*/app-*/*/stderr 2>/dev/null | sed 's/^/executor: /' >&2 || true
