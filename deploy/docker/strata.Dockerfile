# The strata CLI and feature server (the Deployment of 'strata deploy render' runs 'strata serve').
# Build context: the distribution folder that 'mvn package' writes, e.g.
#   docker build -f docker/strata.Dockerfile -t ghcr.io/acme/strata:0.1.0 deploy/distribution/target/strata-0.1.0-SNAPSHOT
ARG JAVA_IMAGE=eclipse-temurin:17-jre
FROM ${JAVA_IMAGE}
COPY bin/ /opt/strata/bin/
COPY lib/ /opt/strata/lib/
COPY examples/ /opt/strata/examples/
ENV PATH=/opt/strata/bin:$PATH
# No root at run time; the project is mounted read-only at /opt/strata/project.
USER 10001
EXPOSE 6566
ENTRYPOINT ["/opt/strata/bin/strata"]
CMD ["--help"]
