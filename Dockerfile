# Multi-stage build: compile in the Rust image (PostgreSQL's client library is
# built into the binary), run in a slim Debian with OpenSSL.
FROM rust:1-bookworm AS build
WORKDIR /src
# The commit --version names (docker build --build-arg FAMILIEBRO_COMMIT=$(git rev-parse --short=12 HEAD)).
ARG FAMILIEBRO_COMMIT=""
ENV FAMILIEBRO_COMMIT=$FAMILIEBRO_COMMIT
COPY Cargo.toml Cargo.lock build.rs ./
# How the bundled SQLite is compiled (.cargo/config.toml), as in any other build.
COPY .cargo ./.cargo
COPY src ./src
COPY migrations ./migrations
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libssl3 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/familiebro familiebro \
    && mkdir -p /var/lib/familiebro && chown familiebro /var/lib/familiebro
COPY --from=build /src/target/release/familiebro /usr/local/bin/familiebro
USER familiebro
ENV FAMILIEBRO_BIND=0.0.0.0:8080 \
    FAMILIEBRO_DATA_DIR=/var/lib/familiebro
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=2s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["familiebro"]
CMD ["serve"]
