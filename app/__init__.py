"""Greenroom: rehearse job interviews out loud, offline."""

__version__ = "0.1.0"
