# The driftline executable for docker-compose.yml.
# Debian bookworm for its librdkafka 2.0.2 (with the mock-cluster header the embedded broker
# needs); the toolchain matches the project's (swift-tools-version and its dependencies' need 6.2+).
ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends librdkafka-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so editing a source file does not refetch them.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --product driftline \
    && cp "$(swift build -c release --show-bin-path)/driftline" /usr/local/bin/driftline

FROM swift:${SWIFT_VERSION}-bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends librdkafka1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/driftline /usr/local/bin/driftline
COPY topologies /topologies
# /metrics and /health when a stage is started with --metrics-port 9464.
EXPOSE 9464
USER nobody
ENTRYPOINT ["driftline"]
CMD ["--help"]
