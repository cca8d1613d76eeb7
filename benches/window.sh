#!/usr/bin/env bash
# What recording from the window costs, beside the same recording from the command line, on the
# release build in a real window (Xvfb, Mesa's software renderer: no GPU), the virtual
# microphones and a test video whose frames carry their numbers:
#   - whole-process CPU per second of recording (every thread: the graphics driver's included),
#     read from /proc/PID/stat between pressing Record and Stop (the command line's: its whole
#     run, start-up and writing the file included);
#   - frames the window drew per second while recording (its frame log);
#   - frames delivered: of the frames the source made between the first and the last one in the
#     file, how many the file has (examples/frames_delivered.rs reads each frame's number);
# for the window shown, and hidden (unmapped, as a minimised window is) for the whole recording.
#
#   benches/window.sh                       # 60 s of 640x480 VP8 + Opus, cli / shown / hidden
#   DURATION=20 VIDEO='test:pattern?w=1280&h=720&fps=30' MODES='cli shown' benches/window.sh
#   MIME='video/webm;codecs=vp9,opus' RUNS=3 benches/window.sh
#   SCREENSHOT=assets/screenshot.png MODES=shown DURATION=5 benches/window.sh
#   LOAD=2 benches/window.sh                # with two busy loops competing for the 2 cores
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${DURATION:-60}
video=${VIDEO:-test:pattern?w=640&h=480&fps=30}
audio=${AUDIO:-test:tone}
mime=${MIME:-video/webm;codecs=vp8,opus}
modes=${MODES:-cli shown hidden}
runs=${RUNS:-1}
load=${LOAD:-0}

scripts/deps.sh test
cargo build --release --locked -q --bin mediarecorder --example frames_delivered
bin=$PWD/target/release/mediarecorder
frames_delivered=$PWD/target/release/examples/frames_delivered

run=$(mktemp -d /tmp/mediarecorder-window.XXXXXX)
xvfb_pid=
hogs=()
cleanup() {
  [ ${#hogs[@]} -eq 0 ] || kill "${hogs[@]}" 2>/dev/null || true
  [ -z "$xvfb_pid" ] || kill "$xvfb_pid" 2>/dev/null || true
  scripts/virtual-mics.sh stop "$run/mics"
  rm -rf "$run"
}
trap cleanup EXIT
eval "$(scripts/virtual-mics.sh start "$run/mics")"

exec 3< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp -noreset 2>/dev/null & echo "pid $!")
read -r _ xvfb_pid <&3
read -r display_number <&3
export DISPLAY=:$display_number

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
now() { date +%s.%N; }
delivered() {
  "$frames_delivered" "$1" | python3 -c 'import json, sys
d = json.load(sys.stdin)
print("%d/%d (%.1f %%)" % (d["delivered"], d["captured"], 100 * d["delivered"] / max(1, d["captured"])))'
}
ticks_per_s=$(getconf CLK_TCK)

window() { # waits for the visible main window, prints its id
  for _ in $(seq 200); do
    w=$(xdotool search --onlyvisible --name '^MediaRecorder$' 2>/dev/null | head -1 || true)
    [ -n "$w" ] && { echo "$w"; return; }
    sleep 0.05
  done
  echo "the window did not appear" >&2
  exit 1
}

record_cli() { # prints: cores fps delivered
  local out=$run/cli.webm
  rm -f "$out"
  local cpu
  cpu=$(python3 - "$bin" record --audio "$audio" --video "$video" --mime "$mime" --duration "$duration" -o "$out" <<'PY'
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
assert os.waitstatus_to_exitcode(status) == 0, "record failed"
print(usage.ru_utime + usage.ru_stime)
PY
)
  echo "$(python3 -c "print(f'{$cpu / $duration:.3f}')") – $(delivered "$out")"
}

record_window() { # $1 = shown|hidden; prints: cores fps delivered
  local mode=$1 home=$run/home-$1
  rm -rf "$home"
  mkdir -p "$home/config/mediarecorder"
  printf '{"version": 1, "device_id": "%s", "video_id": "%s", "video_mime_type": "%s"}\n' "$audio" "$video" "$mime" \
    >"$home/config/mediarecorder/settings.json"
  local log=$home/frames.json
  HOME=$home XDG_DATA_HOME=$home/data XDG_CONFIG_HOME=$home/config MEDIARECORDER_FRAME_LOG=$log \
    "$bin" 2>>"$run/app.log" &
  local app=$! w
  w=$(window)
  sleep 2 # the preview opens its devices
  xdotool windowfocus --sync "$w"
  xdotool key --clearmodifiers space # record
  local t0 c0 t1 c1
  t0=$(now) c0=$(cpu_ticks "$app")
  [ "$mode" = hidden ] && xdotool windowunmap "$w"
  if [ -n "${SCREENSHOT:-}" ] && [ "$mode" = shown ]; then
    sleep 3
    import -window "$w" "$SCREENSHOT"
    echo "screenshot: $SCREENSHOT" >&2
    sleep "$((duration - 3))"
  else
    sleep "$duration"
  fi
  c1=$(cpu_ticks "$app") t1=$(now)
  if [ "$mode" = hidden ]; then
    xdotool windowmap --sync "$w"
    xdotool windowfocus --sync "$w"
  fi
  xdotool key --clearmodifiers space # stop
  sleep 1.5
  xdotool key --clearmodifiers ctrl+q # quit: the frame log is written on exit
  wait "$app"
  local session
  session=$(ls -d "$home"/data/mediarecorder/sessions/*/ | head -1)
  cat "$session"chunk-* >"$home/streamed.webm"
  python3 - "$log" "$t0" "$t1" "$c0" "$c1" "$ticks_per_s" <<'PY' | tr '\n' ' '
import json, sys
log = json.load(open(sys.argv[1]))
t0, t1 = float(sys.argv[2]) * 1000, float(sys.argv[3]) * 1000
c0, c1, hz = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
seconds = (t1 - t0) / 1000
drawn = sum(1 for at, _, recording in log["frames"] if recording and t0 <= at <= t1)
print(f"{(c1 - c0) / hz / seconds:.3f} {drawn / seconds:.1f}")
PY
  delivered "$home/streamed.webm"
}

# Other programs wanting the CPU, at the user's ordinary priority.
for _ in $(seq "$load"); do
  yes >/dev/null &
  hogs+=($!)
done

for i in $(seq "$runs"); do
  for mode in $modes; do
    case $mode in
    cli) echo "cli $(record_cli)" >>"$run/results" ;;
    shown | hidden) echo "$mode $(record_window "$mode")" >>"$run/results" ;;
    *) echo "unknown mode $mode (cli, shown, hidden)" >&2; exit 2 ;;
    esac
    echo "run $i: $(tail -1 "$run/results")" >&2
  done
done

echo "$duration s of $video + $audio, $mime, release build, Xvfb + Mesa (llvmpipe), $(nproc) cores, $load busy loops beside:"
echo
echo "| recorded from | CPU (cores, whole process) | frames drawn per second | frames delivered |"
echo "| --- | --- | --- | --- |"
while read -r mode cores fps delivered; do
  case $mode in
  cli) what="command line" ;;
  shown) what="window, shown" ;;
  hidden) what="window, hidden (unmapped)" ;;
  esac
  echo "| $what | $cores | $fps | $delivered |"
done <"$run/results"
