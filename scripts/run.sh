#!/usr/bin/env bash
# The run command: installs what is missing, builds, and opens the recorder's window.
# Arguments go to the program: `scripts/run.sh record -o memo.ogg --duration 5` records headless.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh run
cargo build --release --locked

if [ $# -eq 0 ] && [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  # A machine without a desktop (a server, a container): the window opens on a virtual display,
  # where it records as usual (screenshots with `xwd -root -display ...`). Ctrl+C closes it.
  echo "No display here: opening the window on a virtual display (Xvfb)." >&2
  exec xvfb-run -a -s '-screen 0 1280x800x24' ./target/release/mediarecorder
fi
exec ./target/release/mediarecorder "$@"
