#!/bin/sh
# Install the Debian packages of the real-desktop tests (`make test-desktops`), only those missing:
# sway 1.7 with swaybar, mako (its notification server), grim (screenshots) and wtype (a virtual
# keyboard); KDE Plasma 5.27 (kwin_wayland and plasmashell); GNOME Shell 43 with the AppIndicator
# extension and gjs (GNOME's notification helper needs it). setpriv runs sway as another user when we
# are root (sway refuses root). Needs root (or sudo) only when something is missing.
set -eu
packages="sway mako-notifier grim wtype util-linux dbus
  kwin-wayland plasma-workspace plasma-desktop qtwayland5
  gnome-shell gnome-shell-extension-appindicator gjs"
missing=""
for p in $packages; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "rustlamp real-desktop tests: these Debian packages are missing and there is no apt-get here:$missing" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "rustlamp real-desktop tests: installing Debian packages:$missing" >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
# shellcheck disable=SC2086  # the list is meant to split into words
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
