# The Spark batch job (backfill, materialize, monitor, training sets) for the Spark Operator:
# Spark comes from the apache/spark image, the job jar (Spark provided, Iceberg inside) from the
# distribution. Build context: the distribution folder, e.g.
#   docker build -f docker/strata-spark.Dockerfile -t ghcr.io/acme/strata-spark:0.1.0 deploy/distribution/target/strata-0.1.0-SNAPSHOT
ARG SPARK_IMAGE=apache/spark:4.1.3-scala2.13-java17-ubuntu
FROM ${SPARK_IMAGE}
COPY jobs/strata-batch-jobs.jar /opt/strata/jobs/strata-batch-jobs.jar
