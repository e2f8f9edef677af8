"""Porch: self-hosted live chat for websites and online stores."""

__version__ = "0.1.0"
