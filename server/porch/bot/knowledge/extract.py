"""Turning fetched pages and uploaded files into plain text: HTML through trafilatura
(main content, no menus), PDF through pypdf, Markdown and text as they are; sitemaps into
their page URLs."""

from __future__ import annotations

import io
import re
from xml.etree import ElementTree

MAX_SITEMAP_URLS = 200


class Unreadable(Exception):
    """The content is not text we can index; the message says why."""


def html_text(html: str, url: str = "") -> tuple[str, str]:
    """(title, main text) of an HTML page."""
    import trafilatura

    text = trafilatura.extract(html, url=url or None, include_comments=False) or ""
    meta = trafilatura.extract_metadata(html)
    title = (meta.title if meta and meta.title else "") or _html_title(html)
    return title.strip(), text.strip()


def _html_title(html: str) -> str:
    found = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    return re.sub(r"\s+", " ", found.group(1)).strip() if found else ""


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n\n".join((page.extract_text() or "") for page in reader.pages).strip()
    except (PdfReadError, ValueError, KeyError) as error:
        raise Unreadable(f"not a readable PDF: {error}") from error


def markdown_title(text: str) -> str:
    for line in text.splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return ""


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.replace("\x00", "")


def sitemap_urls(xml: bytes) -> list[str]:
    """The page URLs a sitemap lists (at most `MAX_SITEMAP_URLS`)."""
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError as error:
        raise Unreadable("not a sitemap") from error
    urls = [node.text.strip() for node in root.iter() if node.tag.endswith("loc") and node.text]
    return urls[:MAX_SITEMAP_URLS]


def text_of(name: str, content_type: str, data: bytes, url: str = "") -> tuple[str, str]:
    """(title, text) of a fetched page (by its content type) or a file (by its name)."""
    if content_type:
        return _page_text(content_type, data, url)
    return file_text(name, data)


def _page_text(content_type: str, data: bytes, url: str) -> tuple[str, str]:
    if content_type == "application/pdf" or data.startswith(b"%PDF-"):
        return "", pdf_text(data)
    text = decode(data)
    if "html" in content_type:
        return html_text(text, url)
    if content_type.startswith("text/"):
        return markdown_title(text), text.strip()
    raise Unreadable(f"{content_type}: only HTML, text and PDF pages can be added")


FILE_KINDS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".text": "text",
              ".html": "html", ".htm": "html", ".pdf": "pdf"}  # fmt: skip
_MARKUP = (b"<!doctype html", b"<html", b"<head", b"<body", b"<article", b"<main", b"<div")


def file_kind(name: str, data: bytes) -> str:
    """markdown | text | html | pdf: what a file is, by its name and checked against its
    bytes (a renamed binary, or a "PDF" that is not one, is refused)."""
    suffix = "." + name.lower().rsplit(".", 1)[-1] if "." in name else ""
    kind = FILE_KINDS.get(suffix)
    if kind is None:
        raise Unreadable(f"{name}: only Markdown, text, HTML and PDF files can be added")
    if data.startswith(b"%PDF-"):
        if kind != "pdf":
            raise Unreadable(f"{name} is a PDF file: name it .pdf")
        return kind
    if kind == "pdf":
        raise Unreadable(f"{name} is not a PDF file")
    if not _is_text(data):
        raise Unreadable(f"{name} is not a text file")
    start = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "html" if kind == "html" or start.startswith(_MARKUP) else kind


def file_text(name: str, data: bytes) -> tuple[str, str]:
    kind = file_kind(name, data)
    if kind == "pdf":
        return "", pdf_text(data)
    text = decode(data)
    if kind == "html":
        return html_text(text)
    return markdown_title(text), text.strip()


def _is_text(data: bytes) -> bool:
    """UTF-8 (or Latin-1) with no control characters but whitespace."""
    sample = decode(data[:65536]) if b"\x00" not in data[:65536] else "\x00"
    return not any(ch < " " and ch not in "\t\n\r\f" for ch in sample)
