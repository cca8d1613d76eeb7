#!/usr/bin/env bash
# The run command: installs what is missing, builds, and records 9 seconds from the default
# microphone (the built-in test tone when there is none) into your Music folder.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh run
cargo build --release --locked

music=$(xdg-user-dir MUSIC 2>/dev/null || true)
[ -n "$music" ] && [ "$music" != "$HOME" ] || music=$HOME/Music
mkdir -p "$music"
out="$music/Recording $(date '+%Y-%m-%d %H-%M-%S').ogg"

./target/release/mediarecorder record --duration 9 --timeslice 1000 -o "$out" "$@"
echo "Saved: $out"
