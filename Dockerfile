# syntax=docker/dockerfile:1
# One image for both roles: `atlantas server` (the default) and `atlantas runner`.
#   docker build -t atlantas:0.1.0 .
# Multi-stage: the TypeScript build and terraform's download never reach the runtime image.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: npm ci with dev dependencies, tsc to dist/, then drop the dev dependencies
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- terraform: the release zip, checked against HashiCorp's SHA256SUMS, whose signature is
# checked against HashiCorp's release key pinned by fingerprint (a tampered mirror fails here).
FROM debian:bookworm-slim AS terraform
ARG TERRAFORM_VERSION=1.11.4
# Set by BuildKit from --platform (linux/amd64, linux/arm64); amd64 under the legacy builder.
ARG TARGETARCH
ARG HASHICORP_KEY_FINGERPRINT=C874011F0AB405110D02105534365D9472D7468F
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg unzip \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /tf
RUN set -eux; \
    base="https://releases.hashicorp.com/terraform/${TERRAFORM_VERSION}"; \
    zip="terraform_${TERRAFORM_VERSION}_linux_${TARGETARCH:-amd64}.zip"; \
    curl -fsSLO "${base}/${zip}"; \
    curl -fsSLO "${base}/terraform_${TERRAFORM_VERSION}_SHA256SUMS"; \
    curl -fsSLO "${base}/terraform_${TERRAFORM_VERSION}_SHA256SUMS.sig"; \
    curl -fsSL https://www.hashicorp.com/.well-known/pgp-key.txt -o hashicorp.asc; \
    export GNUPGHOME="$(mktemp -d)"; \
    gpg --batch --import hashicorp.asc; \
    # VALIDSIG's last field is the primary key that made the signature: it must be the pinned one.
    gpg --batch --status-fd 1 --verify "terraform_${TERRAFORM_VERSION}_SHA256SUMS.sig" "terraform_${TERRAFORM_VERSION}_SHA256SUMS" \
      | grep -q "^\[GNUPG:\] VALIDSIG .* ${HASHICORP_KEY_FINGERPRINT}\$"; \
    grep " ${zip}\$" "terraform_${TERRAFORM_VERSION}_SHA256SUMS" | sha256sum -c -; \
    unzip -q "${zip}" terraform; \
    ./terraform version

# --- runtime: node 20, terraform, git (working copies), bubblewrap (the run sandbox), non-root
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends bubblewrap ca-certificates git tini \
 && rm -rf /var/lib/apt/lists/*
COPY --from=terraform /tf/terraform /usr/local/bin/terraform
RUN groupadd --system --gid 10001 atlantas \
 && useradd --system --uid 10001 --gid atlantas --home-dir /home/atlantas --create-home --shell /usr/sbin/nologin atlantas \
 && mkdir -p /var/lib/atlantas && chown atlantas:atlantas /var/lib/atlantas
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
ENV NODE_ENV=production \
    HOME=/home/atlantas \
    CHECKPOINT_DISABLE=1 \
    ATLANTAS_DATA_DIR=/var/lib/atlantas
# The data dir (working copies; the embedded database when DATABASE_URL is unset) is the only
# place written besides /tmp and HOME, so the root filesystem can be mounted read-only.
VOLUME ["/var/lib/atlantas"]
WORKDIR /var/lib/atlantas
USER 10001:10001
EXPOSE 4141
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/atlantas.js"]
CMD ["server"]
