"""``greenroom speech-models list|download NAME``: see and fetch speech models.

Downloading is the only time Greenroom goes online for a model, and only when asked
here. The hub client draws a progress bar per file; Ctrl-C cancels and keeps nothing.
"""

from __future__ import annotations

import argparse
import sys

from app import paths

COMMAND = "speech-models"


def register(subparsers: argparse._SubParsersAction) -> None:
    if COMMAND in subparsers.choices:  # may be reached from more than one command module
        return
    parser = subparsers.add_parser(
        COMMAND, help="list or download speech-to-text models",
        description="List the speech models Greenroom knows, or download one.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="show known models and which are installed")
    listing.set_defaults(handler=run_list)
    download = actions.add_parser("download", help="download a model (needs the internet)")
    download.add_argument("name", help="model name, e.g. base.en or small.en")
    download.set_defaults(handler=run_download)


def run_list(args: argparse.Namespace) -> int:
    from models.speech_models import DEFAULT_MODEL, list_models

    print(f"{'model':<18} {'size':>8}  status")
    for item in list_models(paths.models_dir()):
        status = f"installed ({item.where})" if item.installed else "not installed"
        default = "  [default]" if item.name == DEFAULT_MODEL else ""
        print(f"{item.name:<18} {item.size_mb:>5} MB  {status}{default}")
    return 0


def run_download(args: argparse.Namespace) -> int:
    from models.speech_models import download_model

    def status(line: str) -> None:
        print(line, file=sys.stderr)

    try:
        path = download_model(args.name, paths.models_dir(), on_status=status)
    except KeyboardInterrupt:
        print(f"greenroom: download of {args.name} cancelled; nothing was kept", file=sys.stderr)
        return 130
    print(f"speech model {args.name} is ready in {path}")
    return 0
