"""Start one window process: `python -m rustlamp.ui.launch rustlamp.ui.<window> ARGS...`.

Runs the window module as `python -m` would, with one difference: when Qt itself cannot be loaded (its
libraries are missing or do not load, as under Wine, where Qt6Core needs a Windows ICU that Wine lacks), the
window answers `CannotOpen` with the reason instead of dying with an ImportError nobody reads; the lamp then
says so in a notification and carries on.
"""

from __future__ import annotations

import runpy
import sys

from rustlamp.ui.contract import CannotOpen
from rustlamp.ui.lifecycle import FAILED, emit

QT_PACKAGES = ("PySide6", "shiboken6")


def qt_did_not_load(exc: BaseException) -> bool:
    """An import error raised while loading Qt's own packages (not by our code): named by the error, or
    by the statement that failed (a DLL that does not load names neither module nor Python frame)."""
    if not isinstance(exc, ImportError | OSError):
        return False
    if isinstance(exc, ImportError) and (exc.name or "").startswith(QT_PACKAGES):
        return True
    import traceback  # here: it and what it imports cost a window ~10 ms at every start, needed only now

    frames = traceback.extract_tb(exc.__traceback__)
    return any(part in f"{frame.filename} {frame.line}" for frame in frames for part in QT_PACKAGES)


def main(argv: list[str]) -> int:
    if not argv or not argv[0].startswith("rustlamp.ui."):
        print("usage: python -m rustlamp.ui.launch rustlamp.ui.<window> [ARGS...]", file=sys.stderr)
        return FAILED
    module, *args = argv
    sys.argv = [module, *args]
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except (ImportError, OSError) as exc:
        if not qt_did_not_load(exc):
            raise
        emit(CannotOpen(detail=f"Qt could not be loaded: {exc}").to_json())
        return FAILED
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
