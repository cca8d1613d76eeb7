#!/usr/bin/env bash
# Builds (once) Debian 12's xdg-desktop-portal-wlr 0.7.0 with two changes for a software-rendered
# compositor, and prints the binary's path. As shipped, its ScreenCast `Start` fails without a
# DMA-BUF format (there is no GPU here; shared memory alone is enough), and it copies the screen
# only on damage, so a still screen never yields a first frame. Real desktops' backends (GNOME,
# KDE, wlroots on a GPU) need neither change; see scripts/wayland/xdpw-headless.patch.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
version=0.7.0
sha256=511e0509653d67af17c9ec45cc6ce1e43e795a444d0e51f959ff899d636f2c4e
patch=$here/wayland/xdpw-headless.patch
out=${CARGO_TARGET_DIR:-$here/../target}/tools/xdpw-$version-$(sha256sum "$patch" | cut -c1-12)
bin=$out/build/xdg-desktop-portal-wlr
if [ ! -x "$bin" ]; then
  mkdir -p "$out"
  tarball=$out/xdg-desktop-portal-wlr_$version.orig.tar.xz
  curl -fsSL -o "$tarball" \
    "http://deb.debian.org/debian/pool/main/x/xdg-desktop-portal-wlr/xdg-desktop-portal-wlr_$version.orig.tar.xz"
  echo "$sha256  $tarball" | sha256sum -c --quiet - >&2
  rm -rf "$out/src"
  mkdir -p "$out/src"
  tar -xf "$tarball" -C "$out/src" --strip-components=1
  patch -d "$out/src" -p1 --quiet < "$patch"
  meson setup "$out/build" "$out/src" -Dman-pages=disabled -Dsystemd=disabled >"$out/meson.log" 2>&1 \
    && ninja -C "$out/build" >>"$out/meson.log" 2>&1 \
    || { echo "building xdg-desktop-portal-wlr failed; see $out/meson.log" >&2; tail -n 20 "$out/meson.log" >&2; exit 1; }
fi
echo "$bin"
