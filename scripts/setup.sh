#!/usr/bin/env bash
# Installs what a fresh machine lacks, then gets out of the way. Used by `npm test`, `npm start` and CI.
#   bash scripts/setup.sh [--system] [--browser]
#     (always)   npm packages, when node_modules is missing or older than package-lock.json; then the
#                resource-server kit's build (packages/verifier/dist), when missing or older than its sources:
#                the service, the demo, the tests and the bench import the kit as users do, built
#     --system   Debian packages for the real-keychain tests (dbus, gnome-keyring, libsecret-tools) and for the
#                Python interop tests (python3-jwt with python3-cryptography for its asymmetric algorithms,
#                python3-requests, python3-authlib; run by /usr/bin/python3) and for the PostgreSQL store's tests
#                (postgresql: test/helpers/postgres.ts runs a throwaway cluster from /usr/lib/postgresql/15/bin)
#     --browser  Debian's Chromium for the end-to-end tests (Playwright never downloads a browser here)
# Debian packages are installed only when running as root with apt-get; otherwise it says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

want_system=0
want_browser=0
for arg in "$@"; do
  case "$arg" in
    --system) want_system=1 ;;
    --browser) want_browser=1 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

if [ -L node_modules ]; then
  # A checkout that borrows another one's install (a symlink): `npm ci` would empty the shared directory
  # through the link, under every other checkout using it. Leave it to its owner.
  if [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "setup: node_modules is a symlink; not reinstalling it although package-lock.json is newer" >&2
  fi
elif [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages (npm ci)…"
  # The Electron binary comes from GitHub, which is unreachable on some machines; scripts/start.mjs
  # downloads it on demand where it can.
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
node packages/verifier/build.mjs --if-stale

packages=()
if [ "$want_system" = 1 ]; then
  command -v dbus-run-session >/dev/null 2>&1 || packages+=(dbus)
  command -v gnome-keyring-daemon >/dev/null 2>&1 || packages+=(gnome-keyring)
  command -v secret-tool >/dev/null 2>&1 || packages+=(libsecret-tools)
  # Debian's own python3, not the first one on PATH: the interop tests use the libraries users get from apt.
  # python3-cryptography is only a Recommends of python3-jwt, and --no-install-recommends below skips it.
  for module in jwt:python3-jwt cryptography:python3-cryptography requests:python3-requests authlib:python3-authlib; do
    [ -x /usr/bin/python3 ] && /usr/bin/python3 -c "import ${module%%:*}" >/dev/null 2>&1 || packages+=("${module#*:}")
  done
  # Debian 12's PostgreSQL (15, with pg_trgm); the tests start their own cluster, never the packaged one.
  [ -x /usr/lib/postgresql/15/bin/initdb ] || packages+=(postgresql)
fi
if [ "$want_browser" = 1 ] && [ ! -x /usr/bin/chromium ]; then
  packages+=(chromium)
fi
if [ "${#packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian packages: ${packages[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" dbus-x11 >/dev/null
  else
    echo "setup: missing Debian packages: ${packages[*]} — install them with: sudo apt-get install ${packages[*]}" >&2
    exit 1
  fi
fi
