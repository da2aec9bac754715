#!/usr/bin/env bash
# Drift benchmark: Strata exact mode vs numpy/scipy on two 1.5M-row halves of the flights data.
# Usage (from the repository root): benchmarks/monitoring/run.sh [WORKDIR]
# DATA overrides the Parquet file (default ../shared/datasets/flights-3m.parquet).
set -euo pipefail
cd "$(dirname "$0")/../.."
WORK=${1:-/tmp/strata-drift-bench}
DATA=${DATA:-../shared/datasets/flights-3m.parquet}
mkdir -p "$WORK"
# The project's own DuckDB (the one monitoring-tools reads Parquet with), only to export the halves.
DUCKDB=$(sed -n '/<artifactId>duckdb_jdbc<\/artifactId>/{n;s:.*<version>\(.*\)</version>.*:\1:p}' pom.xml)
DUCKDB_JAR=~/.m2/repository/org/duckdb/duckdb_jdbc/$DUCKDB/duckdb_jdbc-$DUCKDB.jar
if [ ! -f "$DUCKDB_JAR" ]; then
  mvn -q -B dependency:get -Dartifact=org.duckdb:duckdb_jdbc:$DUCKDB
fi
if [ ! -f "$WORK/current.csv" ]; then
  java -cp "$DUCKDB_JAR" benchmarks/monitoring/ExportHalves.java "$DATA" "$WORK"
fi
# The benchmark reads the CSV halves with monitoring-tools (Tables) and drifts them with the core.
# package, not install: the classpath is this checkout's modules (the reactor's jars), so a shared
# ~/.m2 is neither used nor overwritten; the last module built (tools) writes cp.txt.
mvn -o -q -B -pl monitoring/tools -am package dependency:build-classpath -DskipTests -Dmdep.outputFile="$WORK/cp.txt"
CP="monitoring/tools/target/classes:$(cat "$WORK/cp.txt")"
mkdir -p "$WORK/classes"
javac -cp "$CP" -d "$WORK/classes" benchmarks/monitoring/DriftBenchmark.java
# Peak memory: VmHWM printed by each process, and /usr/bin/time -v's maximum resident set size.
echo "== Strata (java -Xmx12g) =="
/usr/bin/time -v -o "$WORK/java.time" java -Xmx12g -cp "$CP:$WORK/classes" DriftBenchmark "$WORK/reference.csv" "$WORK/current.csv" "$WORK/strata.json"
grep -E "Maximum resident|Elapsed" "$WORK/java.time" | sed 's/^\s*/java time: /'
echo "== numpy $(python3 -c 'import numpy; print(numpy.__version__)') / scipy $(python3 -c 'import scipy; print(scipy.__version__)') =="
/usr/bin/time -v -o "$WORK/python.time" python3 benchmarks/monitoring/drift_scipy.py "$WORK/reference.csv" "$WORK/current.csv" "$WORK/scipy.json"
grep -E "Maximum resident|Elapsed" "$WORK/python.time" | sed 's/^\s*/python time: /'
echo "== agreement =="
python3 benchmarks/monitoring/compare.py "$WORK/strata.json" "$WORK/scipy.json"
