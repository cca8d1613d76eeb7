#!/usr/bin/env bash
# Our real-time video paths against Debian ffmpeg's encoders on one .y4m input, in one run:
# encode speed (frames per second of wall time, whole process for ffmpeg) and quality (PSNR of
# the decoded result against the input, by ffmpeg's psnr filter) at the same target bitrate.
#
#   benches/video_encoders.sh [SIZE] [SECONDS] [BITRATE]     (defaults: 1280x720 10 2000000)
#
# Every encoder gets real-time settings, a key frame at least every 2 s and 2 threads' worth of
# machine: ours as a recording runs them (libvpx cpu-used 8; rav1e speed 10, 4 tiles, CDEF off),
# ffmpeg's at their fastest real-time presets. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-1280x720}
seconds=${2:-10}
bitrate=${3:-2000000}
work=$(mktemp -d /tmp/video-encoders.XXXXXX)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --example encode_y4m >&2
input=$work/input.y4m
# testsrc2: moving shapes, text and gradients; 30 fps.
ffmpeg -nostdin -v error -f lavfi -i "testsrc2=size=$size:rate=30" -t "$seconds" -pix_fmt yuv420p "$input"
frames=$((seconds * 30))
ffmpeg -nostdin -v error -i "$input" -f rawvideo -pix_fmt yuv420p "$work/input.yuv"

psnr() {
  # Both sides decoded to raw frames and compared frame by frame: pairing by timestamps misaligns
  # WebM's whole-millisecond times (33, 66, 100…) against the input's exact 1/30 s.
  ffmpeg -nostdin -v error -y -i "$1" -f rawvideo -pix_fmt yuv420p -fps_mode passthrough "$work/decoded.yuv"
  ffmpeg -nostdin -v info -f rawvideo -pix_fmt yuv420p -s "$size" -i "$work/decoded.yuv" \
    -f rawvideo -pix_fmt yuv420p -s "$size" -i "$work/input.yuv" -lavfi "[0:v][1:v]psnr" -f null - 2>&1 |
    sed -n 's/.*PSNR.* average:\([0-9.inf]*\).*/\1/p' | tail -1
}
kbps() {
  local bytes
  bytes=$(stat -c %s "$1")
  echo $((bytes * 8 / seconds / 1000))
}
row() { printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4"; }

echo "Input: testsrc2 $size, 30 fps, $seconds s ($frames frames); target $((bitrate / 1000)) kbit/s; $(nproc) cores."
echo
row "encoder (settings)" "fps" "PSNR (dB)" "kbit/s"
row "---" "---" "---" "---"
for codec in vp8 vp9 av1; do
  out=$work/ours-$codec.webm
  fps=$(./target/release/examples/encode_y4m "$codec" "$bitrate" "$input" "$out")
  row "ours $codec" "$fps" "$(psnr "$out")" "$(kbps "$out")"
done

ff() {
  local name=$1
  shift
  local out=$work/ffmpeg-$name.webm
  local start end
  start=$(date +%s.%N)
  ffmpeg -nostdin -v error -y -i "$input" -threads 2 -g 60 -b:v "$bitrate" "$@" "$out"
  end=$(date +%s.%N)
  row "ffmpeg $name" "$(echo "$frames / ($end - $start)" | bc -l | xargs printf '%.1f')" "$(psnr "$out")" "$(kbps "$out")"
}
ff "libvpx (vp8, realtime, cpu-used 8)" -c:v libvpx -deadline realtime -cpu-used 8
ff "libvpx-vp9 (realtime, cpu-used 8, row-mt)" -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -row-mt 1
ff "librav1e (speed 10, 4 tiles)" -c:v librav1e -speed 10 -tiles 4
ff "libaom-av1 (realtime, cpu-used 8)" -c:v libaom-av1 -usage realtime -cpu-used 8 -row-mt 1
ff "libsvtav1 (preset 12)" -c:v libsvtav1 -preset 12
