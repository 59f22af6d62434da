#!/bin/bash
# Pin again what the Windows Python under Wine installs (tests/wine/requirements.txt), newest versions
# within pyproject.toml's bounds. Needs a set-up Wine Python (tests/wine/setup.sh) and the network.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
W=${WINE_HOME:-$repo/.venv/wine}
export WINEPREFIX=$W/prefix WINEDEBUG=-all
unset PIP_FIND_LINKS PIP_CERT PIP_INDEX_URL PIP_EXTRA_INDEX_URL
# pip, and pyproject.toml's dependencies (their markers judged inside Windows) with pytest and hypothesis
"$repo/.venv/bin/python" - "$repo/pyproject.toml" >"$W/requirements.in" <<'PY'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))["project"]
tools = [t for t in project["optional-dependencies"]["test"] if t.startswith(("pytest", "hypothesis"))]
print("\n".join(["pip", *project["dependencies"], *tools]))
PY
cd "$W"
wine "$W/python/python.exe" -m pip install -q --dry-run --ignore-installed --only-binary=:all: \
    --report report.json -r requirements.in </dev/null 2>&1 | cat
"$repo/.venv/bin/python" "$here/pin.py" "$W/report.json" "$here/requirements.txt"
