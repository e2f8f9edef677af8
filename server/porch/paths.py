"""Where Porch's non-Python files live, installed or in a source checkout."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def widget_dir() -> Path:
    """The browser sources: bundled into the wheel as `porch/_widget`, else the repo's `widget/`."""
    installed = PACKAGE_DIR / "_widget"
    if installed.is_dir():
        return installed
    return PACKAGE_DIR.parent.parent / "widget"
