#!/usr/bin/env bash
# Starts or stops a headless Wayland desktop for the tests: sway (software rendering, one
# 1280×720 output, orange background), PipeWire, and the ScreenCast portal with its wlroots
# backend — what a recorder meets on a real wlroots desktop, with no display or GPU.
#
#   eval "$(scripts/wayland-session.sh start DIR)"   # prints the environment to export
#   scripts/wayland-session.sh start DIR refuse       # …where every request to share is refused
#   scripts/wayland-session.sh start DIR slow         # …where the user takes 2 s to choose
#   scripts/wayland-session.sh stop DIR               # stops everything it started, by pid
#   scripts/wayland-session.sh prepare DIR            # only the one-time set-up (user, backend)
#
# The printed variables are prefixed (MEDIARECORDER_WL_*): exporting WAYLAND_DISPLAY itself would
# move every other test's window onto Wayland. Needs root (sway runs as an ordinary user, which is
# created once) and scripts/portal-wlr.sh's build of the backend (see there for why).
set -euo pipefail

cmd=${1:?usage: wayland-session.sh start|stop DIR}
run=${2:?usage: wayland-session.sh start|stop DIR}
mkdir -p "$run"
run=$(cd "$run" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
user=mediarecorder-wl

stop() {
  # Newest first: the portals before the compositor, the bus last.
  for name in portal portal-wlr sway wireplumber pipewire dbus; do
    f=$run/$name.pid
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  # Services the bus started on demand (the permission store) leave when it goes.
}

prepare() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "wayland-session.sh needs root (sway runs as its own user)" >&2
    exit 1
  fi
  id "$user" >/dev/null 2>&1 || useradd --system --create-home --shell /usr/sbin/nologin "$user"
  "$here/portal-wlr.sh"
}

case "$cmd" in
stop) stop; exit 0 ;;
prepare) prepare >/dev/null; exit 0 ;;
start) ;;
*) echo "usage: wayland-session.sh start|stop|prepare DIR" >&2; exit 2 ;;
esac

backend=$(prepare)
stop

xdg=$run/xdg
mkdir -p "$xdg" "$run/config/xdg-desktop-portal-wlr"
chown "$user:" "$xdg"
chmod 700 "$xdg"
# setpriv and env exec the daemon: the pid recorded is the daemon's own. A home of the
# session's: what the bus starts on demand (the portal's permission store) keeps its files there.
mkdir -p "$run/home"
chown "$user:" "$run/home"
as_user=(setpriv --reuid="$user" --regid="$user" --init-groups env HOME="$run/home" XDG_DATA_HOME="$run/home/data")
export XDG_RUNTIME_DIR=$xdg XDG_CONFIG_HOME=$run/config XDG_CURRENT_DESKTOP=sway XDG_SESSION_TYPE=wayland
export DBUS_SESSION_BUS_ADDRESS=unix:path=$xdg/bus
unset DISPLAY WAYLAND_DISPLAY

wait_for() { # what, seconds, test command…
  local what=$1 tries=$(($2 * 10)); shift 2
  for _ in $(seq "$tries"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "wayland session: $what did not start; logs in $run" >&2
  tail -n 5 "$run"/*.log >&2 || true
  stop
  exit 1
}

# The session's bus; root (the tests, the portals) may use it too.
cat > "$run/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <include>/usr/share/dbus-1/session.conf</include>
  <listen>unix:path=$xdg/bus</listen>
  <policy context="default"><allow user="root"/></policy>
</busconfig>
CONF
"${as_user[@]}" dbus-daemon --nofork --nopidfile --config-file="$run/bus.conf" >"$run/dbus.log" 2>&1 &
echo $! > "$run/dbus.pid"
wait_for "the session bus" 5 test -S "$xdg/bus"

"${as_user[@]}" pipewire >"$run/pipewire.log" 2>&1 &
echo $! > "$run/pipewire.pid"
wait_for PipeWire 5 test -S "$xdg/pipewire-0"
"${as_user[@]}" wireplumber >"$run/wireplumber.log" 2>&1 &
echo $! > "$run/wireplumber.pid"

cat > "$run/sway.conf" <<'CONF'
output HEADLESS-1 resolution 1280x720 bg #ff8000 solid_color
CONF
WLR_BACKENDS=headless WLR_LIBINPUT_NO_DEVICES=1 WLR_RENDERER=pixman WLR_HEADLESS_OUTPUTS=1 \
  SWAYSOCK=$xdg/sway.sock "${as_user[@]}" sway -c "$run/sway.conf" >"$run/sway.log" 2>&1 &
echo $! > "$run/sway.pid"
wait_for sway 10 env SWAYSOCK="$xdg/sway.sock" swaymsg -t get_outputs
socket=$(cd "$xdg" && ls wayland-* 2>/dev/null | grep -v '\.lock$' | head -n 1 || true)
if [ -z "$socket" ]; then
  echo "wayland session: sway made no socket; see $run/sway.log" >&2
  stop
  exit 1
fi
export WAYLAND_DISPLAY=$socket SWAYSOCK=$xdg/sway.sock
"${as_user[@]}" dbus-update-activation-environment WAYLAND_DISPLAY XDG_CURRENT_DESKTOP XDG_RUNTIME_DIR \
  XDG_CONFIG_HOME SWAYSOCK XDG_SESSION_TYPE

# No chooser: the backend shares the one output without asking (what the tests need). With
# `refuse`, a chooser that picks nothing: the user cancelled the desktop's dialog; with `slow`,
# one that picks the output after 2 s.
if [ "${3:-}" = refuse ]; then
  chooser=$'chooser_type=simple\nchooser_cmd=false'
elif [ "${3:-}" = slow ]; then
  # A user who takes two seconds to choose the one output.
  chooser=$'chooser_type=simple\nchooser_cmd=sleep 2; echo HEADLESS-1'
else
  chooser=$'output_name=HEADLESS-1\nchooser_type=none'
fi
printf '[screencast]\n%s\nmax_fps=30\n' "$chooser" > "$run/config/xdg-desktop-portal-wlr/config"
# XDPW_PERSIST_MODE: the backend's stand-in for a chooser's "remember this choice": shares may
# be restored (with a token) until revoked.
XDPW_PERSIST_MODE=permanent "$backend" -l INFO -r -c "$run/config/xdg-desktop-portal-wlr/config" >"$run/portal-wlr.log" 2>&1 &
echo $! > "$run/portal-wlr.pid"
has_name() { dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.NameHasOwner "string:$1" | grep -q true; }
wait_for "the portal's wlroots backend" 5 has_name org.freedesktop.impl.portal.desktop.wlr
/usr/libexec/xdg-desktop-portal -r >"$run/portal.log" 2>&1 &
echo $! > "$run/portal.pid"
wait_for "the portal" 10 has_name org.freedesktop.portal.Desktop

cat <<ENV
export MEDIARECORDER_WL_WAYLAND_DISPLAY=$xdg/$socket
export MEDIARECORDER_WL_DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS
export MEDIARECORDER_WL_XDG_RUNTIME_DIR=$xdg
export MEDIARECORDER_WL_SWAYSOCK=$xdg/sway.sock
export MEDIARECORDER_WL_LOGS=$run
ENV
