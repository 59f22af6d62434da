"""The lamp's process runs for weeks, so what it loads stays resident.

It never speaks TLS and needs none of OpenSSL's hashes, yet asyncio imports `ssl` and dbus-fast imports
`hashlib` at start, which maps libssl and libcrypto (about 5 MB resident together; measured with
benchmarks/idle.py). Both are built to do without OpenSSL: asyncio leaves TLS out when `ssl` cannot be
imported, and hashlib falls back to its built-in hashes (SHA-1 for D-Bus cookie authentication among
them). Marking the modules absent before their first import keeps the libraries out of this process only:
the windows and the command line are separate processes and are untouched.
"""

from __future__ import annotations

import sys

LEFT_OUT = ("ssl", "_ssl", "_hashlib")


def keep_openssl_out(platform: str = sys.platform) -> None:
    """Call before asyncio is first imported; a module already imported is left as it is. Linux only:
    that is where it is measured and tested; the Windows and macOS notifiers' own imports are not."""
    if not platform.startswith("linux"):
        return
    for name in LEFT_OUT:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "import fails", by design
