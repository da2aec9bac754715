# The Flink streaming job for the Flink Kubernetes Operator (application mode): Flink comes from
# the flink image, the job jar (Flink provided, Kafka connector inside) from the distribution.
# Build context: the distribution folder, e.g.
#   docker build -f docker/strata-flink.Dockerfile -t ghcr.io/acme/strata-flink:0.1.0 deploy/distribution/target/strata-0.1.0-SNAPSHOT
ARG FLINK_IMAGE=flink:2.3.0-java17
FROM ${FLINK_IMAGE}
# Checkpoints and savepoints go to s3://: Flink's S3 file system is a plugin the image ships in opt/.
RUN mkdir -p /opt/flink/plugins/s3-fs-presto \
 && cp /opt/flink/opt/flink-s3-fs-presto-*.jar /opt/flink/plugins/s3-fs-presto/
COPY jobs/strata-streaming-jobs.jar /opt/flink/usrlib/strata-streaming-jobs.jar
