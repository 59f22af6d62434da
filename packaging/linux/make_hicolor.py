"""Make the app's icon for the hicolor theme, at every size a desktop asks for, from assets/.

The pictures are the lamp as the app shows itself (assets/make_icons.py's APP_PICTURE state, the same
drawing as assets/rustlamp.png), drawn afresh at each size: 16, 22 and 24 px are the hand-drawn pixel
lamps, larger ones come from the design grid. The scalable icon is assets/lamp.svg as it is.

Run from the project root:  .venv/bin/python packaging/linux/make_hicolor.py [--out DIR]
It writes DIR/hicolor/<size>x<size>/apps/nl.rustlamp.Rustlamp.png and
DIR/hicolor/scalable/apps/nl.rustlamp.Rustlamp.svg; DIR defaults to packaging/linux/icons.
The output is deterministic: the same bytes on every run (tests/test_packaging.py checks it).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

APP_ID = "nl.rustlamp.Rustlamp"
SIZES: tuple[int, ...] = (16, 22, 24, 32, 48, 64, 128, 256, 512)
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
ASSETS = ROOT / "assets"


def _make_icons() -> ModuleType:
    """assets/make_icons.py, loaded by its path (assets/ is no package)."""
    spec = importlib.util.spec_from_file_location("make_icons", ASSETS / "make_icons.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it is being made
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def generate(out_dir: Path) -> list[Path]:
    """Write every size and the scalable icon under `out_dir`/hicolor; return the paths written."""
    icons = _make_icons()
    state = icons.APP_PICTURE[0]
    written: list[Path] = []
    for size in SIZES:
        path = out_dir / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        icons._save_png(icons.render(state, size), path)  # no metadata, fixed settings: the same bytes
        written.append(path)
    svg = out_dir / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    svg.parent.mkdir(parents=True, exist_ok=True)
    svg.write_bytes((ASSETS / "lamp.svg").read_bytes())
    written.append(svg)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=HERE / "icons", help="default: packaging/linux/icons")
    args = parser.parse_args(argv)
    written = generate(args.out)
    total = sum(p.stat().st_size for p in written)
    print(f"wrote {len(written)} files, {total} bytes, under {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
