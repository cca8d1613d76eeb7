#!/usr/bin/env bash
# Builds the .deb with cargo-deb, from exactly the tree packaging/install.sh installs (PREFIX=/usr):
#   packaging/deb.sh                 a release build → target/debian/mediarecorder_<version>-1_<arch>.deb
#   PROFILE=dev packaging/deb.sh     the dev profile's binary, already built (the test command's
#                                    set-up: a release build of everything would double CI's time)
# Its Depends are the shared libraries the binary really links (cargo-deb's $auto, through
# dpkg-shlibdeps); the CJK fonts the Chinese interface draws with are Recommends.
set -euo pipefail
cd "$(dirname "$0")/.."

profile=${PROFILE:-release}
case "$profile" in
  release) dir=release; cargo build --locked --release --bin mediarecorder ;;
  dev) dir=debug ;;
  *) echo "PROFILE is release or dev" >&2; exit 2 ;;
esac
bin=target/$dir/mediarecorder
[ -x "$bin" ] || { echo "no binary at $bin (build it first)" >&2; exit 1; }

if ! cargo deb --version >/dev/null 2>&1; then
  echo "Installing cargo-deb" >&2
  cargo install cargo-deb --locked --version '^3' --quiet
fi
command -v dpkg-shlibdeps >/dev/null || { echo "dpkg-shlibdeps is missing: apt-get install dpkg-dev" >&2; exit 1; }

# cargo-deb's assets (Cargo.toml) are this staged tree. The binary is a plain file to cargo-deb
# (not under target/release), so it is stripped here; its Depends are still computed from it.
stage=target/packaging/root
rm -rf "$stage"
DESTDIR=$stage PREFIX=/usr BIN=$bin packaging/install.sh >/dev/null
strip --strip-unneeded "$stage/usr/bin/mediarecorder"
rm -f target/debian/mediarecorder_*.deb
cargo deb --no-build --fast --output target/debian/
