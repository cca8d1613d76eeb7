#!/usr/bin/env bash
# The test command: installs what is missing, builds the .deb, starts two virtual PulseAudio
# microphones, runs every test, and stops the daemons it started (by pid) whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test

run=$(mktemp -d /tmp/mediarecorder-test.XXXXXX)
cleanup() {
  scripts/virtual-mics.sh stop "$run" || true
  rm -rf "$run"
}
trap cleanup EXIT INT TERM

# Tests read the program's English output, whatever the machine's locale; the Chinese tests
# choose their language themselves.
unset LANGUAGE LC_MESSAGES
export LC_ALL=C.UTF-8

# The .deb is part of the set-up: built from the binary the tests build (tests/packaging.rs
# installs and removes it).
cargo test --locked --workspace --no-run
# The house rules (clippy.toml: named threads, bounded queues) and every lint, as errors.
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
cargo clippy --locked --workspace --all-targets -- -D warnings
PROFILE=dev packaging/deb.sh
# The Wayland tests' one-time set-up: sway's user, the portal backend they use (each test then
# starts a desktop of its own).
scripts/wayland-session.sh prepare "$run/wayland"

eval "$(scripts/virtual-mics.sh start "$run")"
# Tests never touch the user's own recordings, nor read what an earlier run measured (the AV1
# governor's speeds are kept in the cache).
export XDG_DATA_HOME=$run/data XDG_CACHE_HOME=$run/cache

cargo test --locked --workspace "$@"
