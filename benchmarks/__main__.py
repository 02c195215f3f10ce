"""Run every benchmark: ``python -m benchmarks [--quick] [NAME ...]``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time

import benchmarks


def discover() -> list[str]:
    """Modules of this package that define ``run`` (private and entry modules skipped)."""
    names = []
    for info in sorted(pkgutil.iter_modules(benchmarks.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.ispkg:
            continue
        names.append(info.name)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        help="shorter answers, for a fast sanity check")
    parser.add_argument("names", nargs="*", help="run only these benchmark modules")
    args = parser.parse_args(argv)
    names = args.names or discover()
    for name in names:
        module = importlib.import_module(f"benchmarks.{name}")
        if not hasattr(module, "run"):
            continue
        print(f"== {name} ==", flush=True)
        started = time.perf_counter()
        module.run(quick=args.quick)
        print(f"({name} took {time.perf_counter() - started:.0f} s)\n", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
