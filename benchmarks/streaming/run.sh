#!/usr/bin/env bash
# Stream benchmark: the tiling job vs a discarding sink vs a plain Kafka consumer, same run; then
# freshness (event -> tile written) at a steady rate, Redis sink beside the discarding sink.
# Usage (from the repository root):
#   benchmarks/streaming/run.sh [copies=10 (0: skip throughput)] [parallelism=2] [freshness seconds=60 (0: skip)] [events/s=10000]
# BENCH_JAVA_OPTS adds JVM flags (e.g. a JFR recording) to the benchmark JVM.
# The job's modules run from this checkout's target/classes (compiled here, never installed: ~/.m2
# may be shared); the benchmark itself compiles against the installed SNAPSHOTs of the same API.
# BENCH_CLASSES=installed runs the installed SNAPSHOTs instead (e.g. main's, for a before/after).
# Needs Redis at 127.0.0.1:6379 (database 12, keys removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "${BENCH_CLASSES:-}" != installed ]; then
  mvn -q -o -B -pl streaming-jobs -am compile
fi
mvn -q -o -B -f benchmarks/streaming/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
MODULES=""
[ "${BENCH_CLASSES:-}" = installed ] || for m in feature-dsl/language feature-dsl/config feature-dsl/registry online-store/core streaming-jobs; do
  [ -d "$m/target/classes" ] && MODULES="$MODULES:$m/target/classes"
done
CP="benchmarks/streaming/target/classes$MODULES:$(cat benchmarks/streaming/target/cp.txt)"
java -Xmx3g ${BENCH_JAVA_OPTS:-} -cp "$CP" dev.strata.bench.stream.StreamBenchmark "${1:-10}" "${2:-2}" "${3:-60}" "${4:-10000}"
