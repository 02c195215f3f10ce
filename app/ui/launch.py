"""Open the Greenroom window."""

from __future__ import annotations

import sys


def main() -> int:
    print("greenroom: the desktop app is not built yet; use `greenroom --help` for the CLI.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
