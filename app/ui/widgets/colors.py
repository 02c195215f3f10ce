"""Colours that read on both light and dark palettes.

Text and backgrounds always come from the palette; only signal colours (band, stage,
marker) are fixed hues, drawn with enough contrast against either palette's base."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

BAND_COLORS = {
    "keep_going": QColor(0x2f, 0x80, 0xed),  # blue: calm, not an alarm
    "in_zone": QColor(0x27, 0xae, 0x60),     # green
    "wrap_up": QColor(0xe0, 0x4f, 0x3a),     # red-orange
    "no_guide": QColor(0x88, 0x88, 0x88),
}

BAND_LABELS = {
    "keep_going": "keep going",
    "in_zone": "in the zone",
    "wrap_up": "wrap up",
    "no_guide": "no time guide",
}

MARKER_COLORS = {
    "filler": QColor(0xd9, 0x8c, 0x1f),
    "note": QColor(0x9b, 0x59, 0xb6),
    "pause": QColor(0x7f, 0x8c, 0x8d),
    "improvement": QColor(0x16, 0xa0, 0x85),
}


def stage_color(index: int) -> QColor:
    """Distinct hues for structure stages, spaced around the colour wheel."""
    return QColor.fromHsv((index * 57 + 200) % 360, 120, 210)


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    amount = max(0.0, min(1.0, amount))
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


def tinted_base(palette: QPalette, color: QColor, amount: float = 0.22) -> QColor:
    """A soft background tint of ``color`` over the palette's base, light or dark."""
    return mix(palette.color(QPalette.ColorRole.Base), color, amount)
