# The pullcheck container image: the static binary alone on an empty base, run as a non-root user.
#
#   docker build -t pullcheck .
#   docker run --rm -v "$PWD:/work" pullcheck check deploy/
#
# The build stage compiles for musl (Alpine's libc), which Rust links statically: the binary needs
# no libc, no certificates (pullcheck never touches the network) and no shell, so the image holds
# nothing else. `docker buildx build --platform linux/amd64,linux/arm64` builds both architectures.
FROM rust:1.95-alpine AS build
WORKDIR /src
# What the build reads (.dockerignore leaves out the rest): the manifest and the lock file, the
# sources, the rule docs and data compiled in, and benches/, whose targets Cargo.toml declares.
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY rules rules
COPY data data
COPY benches benches
RUN cargo build --release --locked --bin pullcheck \
    && cp target/release/pullcheck /pullcheck

FROM scratch
COPY --from=build /pullcheck /usr/local/bin/pullcheck
# The `nonroot` user of distroless images; a number, since scratch has no /etc/passwd.
USER 65532:65532
# The repository to check is mounted here, so that paths in reports are relative to its root.
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/pullcheck"]
CMD ["check", "."]
