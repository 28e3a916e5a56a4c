# syntax=docker/dockerfile:1
#
# Token Warden's production image: the headless service (`npm run serve`'s entry point, bundled) with the
# browser console, on Node 20, as a non-root user. docs/deployment.md explains the run; compose.yaml is the
# documented cluster (PostgreSQL, two instances, Caddy). Our tests do not build or run this file (no Docker on
# the test machines); they run the same service without containers.

# 1. Build: the kit package, the console (out/renderer), and headless.ts bundled into one ES module. The full
#    dev install is needed here (TypeScript, esbuild, electron-vite); Electron's and Playwright's binaries are not.
FROM node:20-bookworm-slim AS builder
WORKDIR /src
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# better-sqlite3 compiles from source when no prebuilt addon matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/verifier/package.json packages/verifier/
RUN npm ci
COPY . .
RUN node packages/verifier/build.mjs \
 && npx electron-vite build \
 && npx esbuild src/main/headless.ts --bundle --platform=node --format=esm --target=node20 --packages=external --outfile=dist/headless.mjs

# 2. Runtime dependencies only (better-sqlite3's native addon built here, for this base image).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY packages/verifier/package.json packages/verifier/
RUN npm ci --omit=dev && npm cache clean --force

# 3. The image: no compiler, no sources, no dev dependencies; runs as the image's `node` user (uid 1000).
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    TOKEN_WARDEN_DATA_DIR=/var/lib/token-warden \
    TOKEN_WARDEN_HOST=0.0.0.0 \
    TOKEN_WARDEN_ALLOW_REMOTE=true \
    TOKEN_WARDEN_PORT=8080 \
    TOKEN_WARDEN_CONSOLE_DIR=/app/console
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=builder /src/package.json ./
COPY --from=builder /src/packages/verifier/package.json packages/verifier/
COPY --from=builder /src/packages/verifier/dist packages/verifier/dist
COPY --from=builder /src/dist/headless.mjs dist/
COPY --from=builder /src/out/renderer console/
RUN mkdir -p /var/lib/token-warden && chown node:node /var/lib/token-warden
USER node
VOLUME /var/lib/token-warden
EXPOSE 8080
# Liveness only (/healthz): an orchestrator that should stop routing to an instance asks /readyz instead.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM drains (--drain-timeout, 10 s by default): keep Docker's stop timeout above it (compose: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/headless.mjs"]
