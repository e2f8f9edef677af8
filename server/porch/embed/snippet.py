"""The one-tag install snippet a site owner pastes into their pages."""

from html import escape


def snippet(base_url: str, site_key: str) -> str:
    src = escape(f"{base_url.rstrip('/')}/widget/porch.js", quote=True)
    return f'<script async src="{src}" data-site="{escape(site_key, quote=True)}"></script>'
