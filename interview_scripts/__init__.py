"""Interview scripts: the YAML format, the code that reads it, and the bundled scripts.

The bundled ``*.yaml`` files sit beside this code and install with it as package data.
This package imports nothing else of Greenroom (see docs/ARCHITECTURE.md).
"""

from pathlib import Path


def bundled_dir() -> Path:
    """The folder of the interview scripts that ship with Greenroom."""
    return Path(__file__).resolve().parent
