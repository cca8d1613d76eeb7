#!/usr/bin/env bash
# Installs (or with --uninstall removes) the program and its desktop integration:
#   $DESTDIR$PREFIX/bin/mediarecorder
#   $DESTDIR$PREFIX/share/applications/io.github.mediarecorder.MediaRecorder.desktop
#   $DESTDIR$PREFIX/share/metainfo/io.github.mediarecorder.MediaRecorder.metainfo.xml
#   $DESTDIR$PREFIX/share/icons/hicolor/{scalable,256x256}/apps/io.github.mediarecorder.MediaRecorder.{svg,png}
# PREFIX defaults to /usr/local; DESTDIR (staging, for packagers) to nothing. BIN names the
# binary to install (default: target/release/mediarecorder, built with `cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."

id=io.github.mediarecorder.MediaRecorder
prefix=${PREFIX:-/usr/local}
root=${DESTDIR:-}$prefix
bin=${BIN:-target/release/mediarecorder}

files=(
  "$bin:bin/mediarecorder:755"
  "packaging/$id.desktop:share/applications/$id.desktop:644"
  "packaging/$id.metainfo.xml:share/metainfo/$id.metainfo.xml:644"
  "assets/mediarecorder.svg:share/icons/hicolor/scalable/apps/$id.svg:644"
  "assets/mediarecorder.png:share/icons/hicolor/256x256/apps/$id.png:644"
)

case "${1:-}" in
  "")
    [ -x "$bin" ] || { echo "no binary at $bin: run 'cargo build --release' (or set BIN)" >&2; exit 1; }
    for f in "${files[@]}"; do
      IFS=: read -r from to mode <<<"$f"
      install -D -m "$mode" "$from" "$root/$to"
      echo "installed $root/$to"
    done
    ;;
  --uninstall)
    for f in "${files[@]}"; do
      IFS=: read -r _ to _ <<<"$f"
      if [ -e "$root/$to" ]; then
        rm -f "$root/$to"
        echo "removed $root/$to"
      fi
    done
    ;;
  *)
    echo "usage: [PREFIX=/usr/local] [DESTDIR=] [BIN=FILE] packaging/install.sh [--uninstall]" >&2
    exit 2
    ;;
esac
