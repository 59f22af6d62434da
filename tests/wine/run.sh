#!/bin/bash
# The Windows job (make test-windows): a Windows CPython under Wine (tests/wine/setup.sh, kept in
# $WINE_HOME between runs), then the tests marked `windows` inside it, then the installed app end to end
# on a headless X desktop (tests/wine/smoke.py). Each part says how long it took.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export WINE_HOME=${WINE_HOME:-$repo/.venv/wine}
export WINEPREFIX=$WINE_HOME/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
LINUX_PYTHON=${LINUX_PYTHON:-$repo/.venv/bin/python}
t0=$(date +%s)
"$here/setup.sh"
t1=$(date +%s)
cd "$repo"
echo "wine tests: pytest -m 'windows and not desktop' in the Windows Python" >&2
# its output through a pipe: the Wine Python dies at start-up when stdout is a plain file
status=0
env -u DISPLAY -u WAYLAND_DISPLAY wine "$WINE_HOME/python/python.exe" -m pytest -q -p no:cacheprovider -m "windows and not desktop" tests \
    </dev/null 2>&1 | tr -d '\r' || status=$?
wineserver -k 2>/dev/null || true
[ "$status" -eq 0 ] || exit "$status"
t2=$(date +%s)
"$LINUX_PYTHON" "$here/smoke.py"
t3=$(date +%s)
echo "wine job: set-up $((t1 - t0)) s, tests $((t2 - t1)) s, smoke $((t3 - t2)) s, in all $((t3 - t0)) s" >&2
