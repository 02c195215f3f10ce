"""Appearance: follow the desktop, or a light or dark palette chosen in Settings.

"system" keeps whatever style and palette the desktop gave the application at start-up.
"light" and "dark" use Qt's Fusion style with a full palette of our own, because only
Fusion draws every widget from the palette; native styles may keep light parts (tab bars,
scroll bars) under a dark palette. Every painted widget reads its colours from the
palette (see ``widgets/colors.py``), so a change applies to the whole window at once.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

APPEARANCES = ("system", "light", "dark")
APPEARANCE_LABELS = {"system": "Follow the desktop", "light": "Light", "dark": "Dark"}

# What the desktop gave the application, kept so "system" can go back to it.
_desktop: dict[str, object] = {}

Role = QPalette.ColorRole
Group = QPalette.ColorGroup


def _palette(colors: dict[QPalette.ColorRole, str], disabled_text: str) -> QPalette:
    palette = QPalette()
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    for role in (Role.Text, Role.WindowText, Role.ButtonText):
        palette.setColor(Group.Disabled, role, QColor(disabled_text))
    return palette


def dark_palette() -> QPalette:
    """A dark palette with enough contrast for body text (about 12:1) and links."""
    return _palette({
        Role.Window: "#202124", Role.WindowText: "#e8eaed",
        Role.Base: "#17181a", Role.AlternateBase: "#26282b",
        Role.Text: "#e8eaed", Role.PlaceholderText: "#9aa0a6",
        Role.Button: "#2b2d31", Role.ButtonText: "#e8eaed", Role.BrightText: "#ffffff",
        Role.Highlight: "#3d7bd9", Role.HighlightedText: "#ffffff",
        Role.ToolTipBase: "#2b2d31", Role.ToolTipText: "#e8eaed",
        Role.Link: "#8ab4f8", Role.LinkVisited: "#c58af9",
        Role.Light: "#3c4043", Role.Midlight: "#33363a", Role.Mid: "#4a4d52",
        Role.Dark: "#111214", Role.Shadow: "#000000",
    }, disabled_text="#7d8187")


def light_palette() -> QPalette:
    return _palette({
        Role.Window: "#f4f5f7", Role.WindowText: "#1f2328",
        Role.Base: "#ffffff", Role.AlternateBase: "#f0f2f5",
        Role.Text: "#1f2328", Role.PlaceholderText: "#6e7781",
        Role.Button: "#eceef1", Role.ButtonText: "#1f2328", Role.BrightText: "#000000",
        Role.Highlight: "#2f6fd6", Role.HighlightedText: "#ffffff",
        Role.ToolTipBase: "#ffffdc", Role.ToolTipText: "#1f2328",
        Role.Link: "#0b57d0", Role.LinkVisited: "#6f3fb5",
        Role.Light: "#ffffff", Role.Midlight: "#e3e5e8", Role.Mid: "#b8bcc2",
        Role.Dark: "#8c9096", Role.Shadow: "#5a5e64",
    }, disabled_text="#9aa0a6")


def normalise(appearance: str | None) -> str:
    """An unknown or empty value (an old settings file, a hand edit) follows the desktop."""
    value = (appearance or "").strip().lower()
    return value if value in APPEARANCES else "system"


def apply_appearance(appearance: str | None, app: QApplication | None = None) -> str:
    """Apply ``appearance`` to the running application; returns the one applied."""
    app = app or QApplication.instance()  # type: ignore[assignment]
    if app is None:
        return normalise(appearance)
    if not _desktop:
        _desktop["style"] = app.style().name()
        _desktop["palette"] = QPalette(app.palette())
    chosen = normalise(appearance)
    if chosen == "system":
        app.setStyle(QStyleFactory.create(str(_desktop["style"])) or app.style())
        app.setPalette(_desktop["palette"])  # type: ignore[arg-type]
    else:
        app.setStyle(QStyleFactory.create("Fusion"))
        app.setPalette(dark_palette() if chosen == "dark" else light_palette())
    return chosen


def is_dark(palette: QPalette) -> bool:
    return palette.color(Role.Window).lightness() < 128


__all__ = ["APPEARANCES", "APPEARANCE_LABELS", "apply_appearance", "dark_palette", "is_dark",
           "light_palette", "normalise"]
