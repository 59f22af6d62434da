"""`python -m rustlamp` is the same as the `rustlamp` command."""

import sys

from rustlamp.cli import main

sys.exit(main())
