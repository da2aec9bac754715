#!/usr/bin/env bash
# Drift benchmark: Strata exact mode vs numpy/scipy on two 1.5M-row halves of the flights data.
# Usage (from the repository root): benchmarks/monitoring/run.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-/tmp/strata-drift-bench}
mkdir -p "$WORK"
DUCKDB=org/duckdb/duckdb_jdbc/1.1.3/duckdb_jdbc-1.1.3.jar
if [ ! -f ~/.m2/repository/$DUCKDB ]; then
  mvn -q -B dependency:get -Dartifact=org.duckdb:duckdb_jdbc:1.1.3
fi
if [ ! -f "$WORK/current.csv" ]; then
  java -cp ~/.m2/repository/$DUCKDB benchmarks/monitoring/ExportHalves.java ../shared/datasets/flights-3m.parquet "$WORK"
fi
# The benchmark reads the CSV halves with monitoring-tools (Tables) and drifts them with the core.
mvn -q -B -pl monitoring/tools -am install -DskipTests
mvn -q -B -pl monitoring/tools dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt"
CP="monitoring/tools/target/classes:$(cat "$WORK/cp.txt")"
mkdir -p "$WORK/classes"
javac -cp "$CP" -d "$WORK/classes" benchmarks/monitoring/DriftBenchmark.java
echo "== Strata (java -Xmx12g) =="
java -Xmx12g -cp "$CP:$WORK/classes" DriftBenchmark "$WORK/reference.csv" "$WORK/current.csv" "$WORK/strata.json"
echo "== numpy $(python3 -c 'import numpy; print(numpy.__version__)') / scipy $(python3 -c 'import scipy; print(scipy.__version__)') =="
python3 benchmarks/monitoring/drift_scipy.py "$WORK/reference.csv" "$WORK/current.csv" "$WORK/scipy.json"
echo "== agreement =="
python3 benchmarks/monitoring/compare.py "$WORK/strata.json" "$WORK/scipy.json"
