# Jetson's container image: built with cargo, run as a non-root user on a slim base with only the
# binary (its pages, assets and built-in models are compiled in). See docs/DEPLOY.md.
#
#   docker build -t jetson .
#   docker run -p 8080:8080 -v jetson-data:/data jetson          # SQLite in the volume, key made there
#   docker compose up -d                                         # PostgreSQL, one server, two workers

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
# The caches keep the registry and the build between image builds; the binary is copied out of them.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p jetson --bin jetson \
    && cp target/release/jetson /usr/local/bin/jetson

FROM debian:bookworm-slim
# CA certificates: Help Scout, GitHub and SMTP are reached over TLS, trusting the system's store.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin jetson \
    && mkdir /data && chown jetson:jetson /data
COPY --from=build /usr/local/bin/jetson /usr/local/bin/jetson
USER jetson
ENV JETSON_DATA_DIR=/data \
    JETSON_HOST=0.0.0.0 \
    JETSON_PORT=8080
VOLUME /data
EXPOSE 8080
# Ready means: the database answers, its migrations are this binary's, the key opens its data.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["jetson", "healthcheck"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["jetson"]
CMD ["serve"]
