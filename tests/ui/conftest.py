"""Shared by every window test: no test reads or writes the real user's preferences."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings


@pytest.fixture(autouse=True)
def isolated_qsettings(tmp_path: Path, qapp: object) -> None:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    # QSettings(organisation, application) uses the native format: redirect both.
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
