#!/usr/bin/env bash
# The window's start-up and smoothness, on the release build in a real window (Xvfb, Mesa's
# software renderer, the virtual microphones):
#   - time from launching the program to its first frame drawn (the app notes the wall-clock
#     time of its first frame; MEDIARECORDER_FRAME_LOG), over RUNS launches;
#   - each frame's CPU time (eframe's measure: build, tessellate, paint) while recording with
#     the meter live, against the 16 ms of a 60 Hz frame.
# With SCREENSHOT=FILE it also saves a screenshot of the window while recording (the README's);
# with VIDEO=ID (e.g. test:pattern) the window starts with that video source, previewed live.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}

scripts/deps.sh test
cargo build --release --locked -q

run=$(mktemp -d /tmp/mediarecorder-window.XXXXXX)
xvfb_pid=
cleanup() {
  [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
  scripts/virtual-mics.sh stop "$run"
  rm -rf "$run"
}
trap cleanup EXIT
eval "$(scripts/virtual-mics.sh start "$run")"
export HOME=$run/home XDG_DATA_HOME=$run/data XDG_CONFIG_HOME=$run/config
mkdir -p "$HOME"
if [ -n "${VIDEO:-}" ]; then
  mkdir -p "$XDG_CONFIG_HOME/mediarecorder"
  printf '{"video_id": "%s"}\n' "$VIDEO" >"$XDG_CONFIG_HOME/mediarecorder/settings.json"
fi

exec 3< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>/dev/null & echo "pid $!")
read -r _ xvfb_pid <&3
read -r display_number <&3
export DISPLAY=:$display_number

window() { # waits for the visible main window, prints its id
  for _ in $(seq 200); do
    w=$(xdotool search --onlyvisible --name '^MediaRecorder$' 2>/dev/null | head -1 || true)
    [ -n "$w" ] && { echo "$w"; return; }
    sleep 0.05
  done
  echo "the window did not appear" >&2
  exit 1
}

for i in $(seq "$runs"); do
  log=$run/frames-$i.json
  start_ms=$(date +%s%3N)
  MEDIARECORDER_FRAME_LOG=$log ./target/release/mediarecorder 2>>"$run/app.log" &
  app=$!
  w=$(window)
  sleep 1.5
  xdotool windowfocus --sync "$w"
  xdotool key --clearmodifiers space   # record
  sleep 5
  if [ "$i" -eq 1 ] && [ -n "${SCREENSHOT:-}" ]; then
    import -window "$w" "$SCREENSHOT"
    echo "screenshot: $SCREENSHOT" >&2
  fi
  xdotool key --clearmodifiers space   # stop
  sleep 1
  xdotool key --clearmodifiers ctrl+q  # close: the frame log is written on exit
  wait "$app"
  python3 - "$log" "$start_ms" >>"$run/results" <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
first = log["first_frame_unix_ms"] - float(sys.argv[2])
rec = sorted(ms for ms, recording in log["frames"] if recording)
pick = lambda q: rec[min(len(rec) - 1, int(q * len(rec)))]
print(f"{first:.0f} {len(rec)} {pick(0.5):.2f} {pick(0.95):.2f} {rec[-1]:.2f}")
PY
done

echo "| run | launch → first frame | frames while recording | frame CPU median | p95 | max |"
echo "| --- | --- | --- | --- | --- | --- |"
n=0
while read -r first frames p50 p95 max; do
  n=$((n + 1))
  echo "| $n | $first ms | $frames | $p50 ms | $p95 ms | $max ms |"
done <"$run/results"
