#!/usr/bin/env bash
# Installs the Debian packages a command needs, only those missing.
#   scripts/deps.sh run    build and run: g++ and nasm (OpenH264 is built from source), libopus, libvpx, libaom, libspeexdsp, ALSA, GTK and PipeWire headers, pkg-config, the graphics
#                          drivers the window draws with (Mesa: Vulkan and GL, software included),
#                          and Xvfb when there is no display
#   scripts/deps.sh test   also the virtual devices, the virtual display and its keyboard
#                          (xdotool), a headless Wayland desktop, and the independent checkers
set -euo pipefail

build=(pkg-config g++ nasm libclang-dev libopus-dev libvpx-dev libaom-dev libspeexdsp-dev libasound2-dev libgtk-3-dev libpipewire-0.3-dev libspa-0.2-dev)
window=(libvulkan1 mesa-vulkan-drivers libegl1 libgl1-mesa-dri libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6)
display=(xvfb xauth)
test=(pulseaudio pulseaudio-utils libasound2-plugins alsa-utils ffmpeg mkvtoolnix opus-tools chromium util-linux
  xdotool imagemagick desktop-file-utils appstream fontconfig fonts-wqy-microhei tesseract-ocr tesseract-ocr-chi-sim dpkg-dev
  espeak-ng)
# A headless Wayland desktop (scripts/wayland-session.sh), and what its ScreenCast backend is
# rebuilt with (scripts/portal-wlr.sh).
wayland=(sway swaybg grim xdg-desktop-portal xdg-desktop-portal-wlr pipewire pipewire-bin wireplumber dbus-daemon dbus-bin
  curl ca-certificates xz-utils patch meson ninja-build gcc libdrm-dev libinih-dev libgbm-dev libwayland-dev wayland-protocols
  libsystemd-dev)

case "${1:-run}" in
run)
  want=("${build[@]}" "${window[@]}")
  [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || want+=("${display[@]}")
  # The Chinese interface needs a CJK font (egui's own fonts have none).
  case "${LANGUAGE:-}:${LC_ALL:-}:${LC_MESSAGES:-}:${LANG:-}" in *zh*) want+=(fonts-wqy-microhei) ;; esac
  ;;
test) want=("${build[@]}" "${window[@]}" "${display[@]}" "${test[@]}" "${wayland[@]}") ;;
*) echo "usage: deps.sh run|test" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  sudo=
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust (https://rustup.rs) and run this again" >&2
  exit 1
fi
