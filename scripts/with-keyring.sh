#!/usr/bin/env bash
# Runs its arguments with a working Secret Service (the OS keychain on Linux), so the real-keychain tests and a
# headless `npm run serve` work on CI and on machines without a desktop session.
#
#   bash scripts/with-keyring.sh npx vitest run test/integration/keychain.test.ts
#
# If a Secret Service already answers, the command runs against it unchanged. Otherwise a throwaway session bus
# and an unlocked gnome-keyring live in a temporary HOME that is deleted afterwards: nothing touches the real
# login keyring. Either way WARDEN_KEYRING=ready is exported so the tests know the keychain is deliberate.
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: scripts/with-keyring.sh <command> [args...]" >&2
  exit 2
fi

# A round trip (store, lookup, clear) proves more than the bus name being owned: a locked collection would
# answer the name but refuse the write. `timeout` because a locked keyring may wait for a prompt forever.
probe_secret_service() {
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
  command -v secret-tool >/dev/null 2>&1 || return 1
  local value="probe-$$-$RANDOM"
  printf '%s' "$value" | timeout 5 secret-tool store --label='token-warden probe' service token-warden-probe account "probe-$$" 2>/dev/null || return 1
  local got
  got="$(timeout 5 secret-tool lookup service token-warden-probe account "probe-$$" 2>/dev/null)" || return 1
  timeout 5 secret-tool clear service token-warden-probe account "probe-$$" 2>/dev/null || true
  [ "$got" = "$value" ]
}

if probe_secret_service; then
  export WARDEN_KEYRING=ready
  exec "$@"
fi

missing=()
command -v dbus-run-session >/dev/null 2>&1 || missing+=(dbus-daemon)
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing+=(gnome-keyring)
command -v secret-tool >/dev/null 2>&1 || missing+=(libsecret-tools)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "with-keyring: no Secret Service is running and none can be started; install the Debian packages: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi

scratch="$(mktemp -d -t warden-keyring.XXXXXX)"
chmod 700 "$scratch"
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT

mkdir -p "$scratch/run" "$scratch/home"
chmod 700 "$scratch/run"

# Not `exec`: the trap must run after the session ends to delete the throwaway keyring. dbus-run-session stops
# the bus when the command exits, and gnome-keyring-daemon exits with its bus.
status=0
HOME="$scratch/home" XDG_RUNTIME_DIR="$scratch/run" XDG_DATA_HOME="$scratch/home/.local/share" \
  XDG_CONFIG_HOME="$scratch/home/.config" XDG_CACHE_HOME="$scratch/home/.cache" WARDEN_KEYRING=ready \
  dbus-run-session -- sh -c '
    printf pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null || {
      echo "with-keyring: gnome-keyring-daemon failed to start" >&2; exit 1; }
    exec "$@"
  ' with-keyring "$@" || status=$?
exit "$status"
