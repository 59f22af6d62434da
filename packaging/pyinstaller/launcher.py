"""The entry point of the frozen app (PyInstaller): `rustlamp ARGS` as the console script does, and
`rustlamp -m rustlamp.MODULE ARGS` as `python -m` would.

rustlamp starts its windows (the break, the check-in, the week) as child processes with
`sys.executable -m rustlamp.ui.<window>` (rustlamp.system.windows). In a frozen app sys.executable is this
program, not a Python, so it has to understand that form itself. Only rustlamp's own modules are run.
"""

from __future__ import annotations

import runpy
import sys


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "-m" and sys.argv[2].startswith("rustlamp."):
        module = sys.argv[2]
        sys.argv = [module, *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    from rustlamp.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
