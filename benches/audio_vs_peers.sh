#!/usr/bin/env bash
# Our recorder against the desktop's usual audio recorders, on the same virtual PulseAudio
# microphone: 20 s of stereo 48 kHz Opus at 128 kbit/s into Ogg, whole-process CPU time
# (user + system, start-up included), as in the design notes' peer figures.
#   GStreamer: pulsesrc ! opusenc ! oggmux (the engine of GNOME Sound Recorder)
#   ffmpeg:    -f pulse … -c:a libopus
# Ours also fsyncs a chunk every second (the peers write no durable chunks).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SECONDS_TO_RECORD:-20}

scripts/deps.sh test
missing=()
for p in gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-pulseaudio time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; }
cargo build --release --locked -q

run=$(mktemp -d /tmp/mediarecorder-bench.XXXXXX)
trap 'scripts/virtual-mics.sh stop "$run"; rm -rf "$run"' EXIT
eval "$(scripts/virtual-mics.sh start "$run")"
export XDG_DATA_HOME=$run/data

measure() { # name, output file, command…
  local name=$1 out=$2
  shift 2
  /usr/bin/time -f "%U %S %e" -o "$run/time" "$@" >/dev/null 2>"$run/stderr" || true
  # The last line: GStreamer, ended by `timeout`, gets a "Command exited with …" line first.
  local dur
  dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$out" 2>/dev/null || echo "?")
  tail -1 "$run/time" | awk -v name="$name" -v s="$seconds" -v dur="$dur" \
    '{ printf "| %-28s | %6.2f | %5.2f%% | %.2f s |\n", name, $1 + $2, ($1 + $2) * 100 / s, dur }'
}

echo "| recorder ($seconds s, stereo Opus 128 kbit/s, Ogg) | CPU s | of a core | file length |"
echo "| --- | --- | --- | --- |"
measure "mediarecorder (this repo)" "$run/ours.ogg" \
  ./target/release/mediarecorder record --audio pulseaudio:mic_a --duration "$seconds" --audio-bitrate 128000 -o "$run/ours.ogg"
measure "GStreamer pulsesrc/opusenc" "$run/gst.ogg" \
  timeout -s INT "$seconds" gst-launch-1.0 -q -e pulsesrc device=mic_a ! audio/x-raw,rate=48000,channels=2 \
  ! opusenc bitrate=128000 ! oggmux ! filesink location="$run/gst.ogg"
measure "ffmpeg -f pulse libopus" "$run/ffmpeg.ogg" \
  ffmpeg -nostdin -v error -f pulse -i mic_a -t "$seconds" -ac 2 -ar 48000 -c:a libopus -b:a 128k "$run/ffmpeg.ogg"
