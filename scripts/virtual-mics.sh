#!/usr/bin/env bash
# Starts or stops a private PulseAudio daemon with two virtual microphones for the tests:
#   mic_a "Virtual Mic A (440 Hz)" (the default source) and mic_b "Virtual Mic B (880 Hz)".
# Each mic is a clocked null sink fed by a sine generator, remapped into a real source; a
# low-latency reader keeps each feed running in small blocks (an unread null sink works in 2 s
# blocks, which would delay a fresh capture by up to 1.5 s). The speaker gets one too: a real
# output runs at the pace its players ask (tens of ms), and so does its monitor, the system's
# sound.
#
#   eval "$(scripts/virtual-mics.sh start DIR)"   # prints the environment to export
#   scripts/virtual-mics.sh stop DIR               # stops everything it started, by pid
set -euo pipefail

cmd=${1:?usage: virtual-mics.sh start|stop DIR}
run=${2:?usage: virtual-mics.sh start|stop DIR}
mkdir -p "$run"
run=$(cd "$run" && pwd)

env_lines() {
  cat <<ENV
export XDG_RUNTIME_DIR=$run/xdg
export PULSE_SERVER=unix:$run/xdg/pulse/native
export PULSE_COOKIE=$run/config/pulse/cookie
export ALSA_CONFIG_PATH=$run/asound.conf
export MEDIARECORDER_VIRTUAL_MICS=mic_a,mic_b
ENV
}

stop() {
  for f in "$run"/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

case "$cmd" in
stop) stop; exit 0 ;;
start) ;;
*) echo "usage: virtual-mics.sh start|stop DIR" >&2; exit 2 ;;
esac

stop
mkdir -p "$run/xdg" "$run/config/pulse"
chmod 700 "$run/xdg"
export XDG_RUNTIME_DIR=$run/xdg XDG_CONFIG_HOME=$run/config PULSE_COOKIE=$run/config/pulse/cookie
unset PULSE_RUNTIME_PATH PULSE_SERVER

cat > "$run/default.pa" <<'PA'
load-module module-native-protocol-unix auth-anonymous=1
load-module module-null-sink sink_name=speaker rate=48000 channels=2 sink_properties=device.description=Virtual_Speaker
load-module module-null-sink sink_name=mic_a_feed rate=48000 channels=2
load-module module-sine sink=mic_a_feed rate=48000 frequency=440
load-module module-remap-source source_name=mic_a master=mic_a_feed.monitor source_properties="device.description='Virtual Mic A (440 Hz)'"
load-module module-null-sink sink_name=mic_b_feed rate=48000 channels=2
load-module module-sine sink=mic_b_feed rate=48000 frequency=880
load-module module-remap-source source_name=mic_b master=mic_b_feed.monitor source_properties="device.description='Virtual Mic B (880 Hz)'"
set-default-source mic_a
set-default-sink speaker
PA

# ALSA clients (cpal's ALSA host, arecord) reach the same daemon through the pulse plugin.
cat > "$run/asound.conf" <<ASOUND
</usr/share/alsa/alsa.conf>
pcm.!default { type pulse }
ctl.!default { type pulse }
pcm.mic_a { type pulse device "mic_a" hint { show on description "Virtual Mic A (440 Hz)" } }
pcm.mic_b { type pulse device "mic_b" hint { show on description "Virtual Mic B (880 Hz)" } }
ASOUND

pulseaudio -n -F "$run/default.pa" --daemonize=no --exit-idle-time=-1 --system=false \
  --log-target=file:"$run/pulseaudio.log" >/dev/null 2>&1 &
echo $! > "$run/pulseaudio.pid"
for _ in $(seq 100); do
  [ -S "$run/xdg/pulse/native" ] && pactl info >/dev/null 2>&1 && break
  sleep 0.1
done
pactl info >/dev/null 2>&1 || { echo "PulseAudio did not start; see $run/pulseaudio.log" >&2; tail -5 "$run/pulseaudio.log" >&2; stop; exit 1; }

for feed in mic_a_feed mic_b_feed speaker; do
  parec --latency-msec=20 -d "$feed.monitor" >/dev/null 2>&1 &
  echo $! > "$run/parec-$feed.pid"
done
# Wait until both mics deliver data (about 2 s on a fresh daemon).
for mic in mic_a mic_b; do
  ok=
  for _ in $(seq 50); do
    if [ "$(timeout 2 parec --latency-msec=20 -d "$mic" --raw 2>/dev/null | head -c 19200 | wc -c)" -ge 19200 ]; then ok=1; break; fi
    sleep 0.1
  done
  if [ -z "$ok" ]; then
    echo "virtual mic $mic delivers no data" >&2
    pactl list sources short >&2 || true
    tail -20 "$run/pulseaudio.log" >&2 || true
    stop
    exit 1
  fi
done
env_lines
