#!/usr/bin/env bash
# Stream benchmark: the tiling job vs a discarding sink vs a plain Kafka consumer, same run; then
# freshness (event -> tile written) at a steady rate, Redis sink beside the discarding sink.
# Usage (from the repository root):
#   benchmarks/streaming/run.sh [copies=10 (0: skip throughput)] [parallelism=2] [freshness seconds=60 (0: skip)] [events/s=10000]
# BENCH_JAVA_OPTS adds JVM flags (e.g. a JFR recording) to the benchmark JVM.
# Needs Redis at 127.0.0.1:6379 (database 12, keys removed afterwards).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -q -o -B -pl streaming-jobs -am install -DskipTests
mvn -q -o -B -f benchmarks/streaming/pom.xml compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
CP="benchmarks/streaming/target/classes:$(cat benchmarks/streaming/target/cp.txt)"
java -Xmx3g ${BENCH_JAVA_OPTS:-} -cp "$CP" dev.strata.bench.stream.StreamBenchmark "${1:-10}" "${2:-2}" "${3:-60}" "${4:-10000}"
