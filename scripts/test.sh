#!/usr/bin/env bash
# The test command: installs what is missing, starts two virtual PulseAudio microphones,
# runs every test, and stops the daemons it started (by pid) whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh test

run=$(mktemp -d /tmp/mediarecorder-test.XXXXXX)
cleanup() {
  scripts/virtual-mics.sh stop "$run" || true
  rm -rf "$run"
}
trap cleanup EXIT INT TERM

eval "$(scripts/virtual-mics.sh start "$run")"
# Tests never touch the user's own recordings.
export XDG_DATA_HOME=$run/data

cargo test --locked --workspace "$@"
