#!/bin/sh
# Install the Debian packages the tests need, only those missing: a headless X server, a private D-Bus,
# a notification daemon that records what it gets, tray hosts (XEmbed: trayer; StatusNotifierItem:
# status-notifier-watcher and gtk-sni-tray-standalone), input and screenshot tools, and
# libfaketime to move a process's clock. Needs root (or sudo) only when something is missing.
set -eu
packages="xvfb xdotool x11-utils imagemagick dbus dbus-x11 dunst libnotify-bin trayer faketime libfaketime
  haskell-status-notifier-item-utils haskell-gtk-sni-tray-utils"
# the desktop entry and AppStream checkers, and GLib's `gio launch` (starts an autostart entry as GNOME does)
packages="$packages desktop-file-utils appstream libglib2.0-bin"
# the do-not-disturb watchers: herbstluftwm, a small EWMH window manager (sets _NET_ACTIVE_WINDOW and
# _NET_WM_STATE; openbox would pull in ghostscript through imlib2), and gsettings with GNOME's schemas
packages="$packages herbstluftwm libglib2.0-bin gsettings-desktop-schemas"
# the windows (Qt for Python): the system libraries its X11 platform plugin needs (Qt's own message names
# only libxcb-cursor0; a stock Debian 12 also lacks libxcb-icccm4 and libxcb-keysyms1), D-Bus for its
# accessibility bridge, and a font
packages="$packages libegl1 libgl1 libfontconfig1 fonts-dejavu-core libxkbcommon0 libxkbcommon-x11-0 libx11-xcb1
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0
  libxcb-xfixes0 libxcb-xkb1 libxcb-sync1 libdbus-1-3"
# the windows seen as a screen reader sees them: the accessibility bus and registry (at-spi2-core) and
# pyatspi, which exists for Debian's own python only (tests/atspi_agent.py runs under /usr/bin/python3)
packages="$packages at-spi2-core python3-pyatspi"
# the Windows job (tests/wine/): Wine runs a Windows CPython, its tests and the app (64-bit only)
packages="$packages wine wine64"
# gettext's own checker (msgfmt --check) for the message catalogs in rustlamp/locale
packages="$packages gettext"
# Debian's own python3 with venv (ensurepip, which Debian ships apart in python3-venv): `make run` with the
# system python, and tests/test_packaging.py installs the wheel into such a venv as a person would
packages="$packages python3 python3-venv"
missing=""
for p in $packages; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "rustlamp tests: these Debian packages are missing and there is no apt-get here:$missing" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "rustlamp tests: installing Debian packages:$missing" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
# shellcheck disable=SC2086  # the list is meant to split into words
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
