# The service as a container image: a static binary (pure Go, SQLite
# included, no cgo) on a distroless base with CA certificates and no shell,
# run as a non-root user. Build: docker build -t partnership .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/partnership ./cmd/partnership \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/partnership /usr/local/bin/partnership
# 65532 is distroless's nonroot user.
COPY --from=build --chown=65532:65532 /out/data /data
# A replica keeps nothing of its own: give it DATABASE_URL (postgres://…),
# PARTNERSHIP_BLOB_URL (s3://…), PARTNERSHIP_SECRET_KEY and
# PARTNERSHIP_PUBLIC_URL. /data only holds what SQLite-only runs keep.
ENV PARTNERSHIP_ADDR=0.0.0.0:8080 \
    PARTNERSHIP_DATA_DIR=/data \
    PARTNERSHIP_DRAIN_DELAY=5s
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/partnership"]
CMD ["serve"]
