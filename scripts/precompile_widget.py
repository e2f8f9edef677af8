"""Compile the widget's and panel's Brython modules to JavaScript: widget/precompiled.json.

Run after changing any Python under widget/ (a test fails until you do):

    scripts/precompile-widget

It bundles the sources as the server does, loads the pinned `brython.js` in Chromium and
has Brython compile each `.py` module exactly as its importer would, less its docstrings
(`porch.embed.precompiled` explains why). Needs the test environment (`scripts/test`
creates it: Playwright and Debian's Chromium).
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import Route, async_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "server"), str(REPO)]

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from porch.embed import bundle, precompiled  # noqa: E402
from porch.embed.assets import LAZY_PACKAGES, PANEL_PACKAGES, WIDGET_PACKAGES  # noqa: E402

WIDGET = REPO / "widget"
ORIGIN = "http://precompile.invalid"
JS = "text/javascript; charset=utf-8"
HTML = b'<!doctype html><script src="/brython.js"></script><script src="/bundle.js"></script>'

# What Brython's VFS importer does with a module it has to compile (`run_py` in
# brython.js), minus running it: same file name, a module object of the same name.
COMPILE = """(names) => {
  const $B = __BRYTHON__, out = {};
  for (const name of names) {
    const entry = $B.VFS[name], isPackage = entry.length == 4;
    const file = 'VFS.' + name + (isPackage ? '/__init__.py' : '.py');
    const parent = isPackage ? name : name.split('.').slice(0, -1).join('.');
    const module = $B.imported[name] = $B.module.$factory(name, '', parent);
    $B.url2name[file] = name;  // names the module's scope in the compiled code
    const root = $B.py2js({src: entry[1], filename: file, imported: true}, module, name,
                          $B.builtins_scope);
    out[name] = root.to_js();
    delete $B.imported[name];
  }
  return out;
}"""


def python_modules() -> dict[str, list]:
    """Every `.py` VFS entry of the widget, panel and lazy bundles."""
    entries: dict[str, list] = {}
    for packages in (WIDGET_PACKAGES, PANEL_PACKAGES, (*WIDGET_PACKAGES, *LAZY_PACKAGES)):
        found = bundle.resolve(bundle.find_sources(WIDGET, packages), bundle.stdlib_vfs())
        entries.update((name, entry) for name, entry in found.items() if entry[0] == ".py")
    return dict(sorted(entries.items()))


def for_compiling(entries: dict[str, list]) -> dict[str, list]:
    """The entries with their docstrings emptied (`precompiled.without_docstrings`)."""
    return {
        name: [entry[0], precompiled.without_docstrings(entry[1]), *entry[2:]]
        for name, entry in entries.items()
    }


async def compile_in_chromium(entries: dict[str, list]) -> dict[str, str]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = await browser.new_page()
        files = {
            "/": (HTML, "text/html"),
            "/brython.js": ((bundle.BRYTHON_DATA / "brython.js").read_bytes(), JS),
            "/bundle.js": (bundle.render("all", for_compiling(entries)).js, JS),
        }

        async def serve(route: Route) -> None:
            body, content_type = files[urlsplit(route.request.url).path]
            await route.fulfill(body=body, content_type=content_type)

        # Served from an http origin, as in production (brython.js reads its own URL).
        await page.route(f"{ORIGIN}/**", serve)
        await page.goto(ORIGIN + "/")
        compiled = await page.evaluate(COMPILE, list(entries))
        await browser.close()
    return compiled


def write(entries: dict[str, list], compiled: dict[str, str]) -> Path:
    lines = [
        f"{json.dumps(name)}: "
        + json.dumps({"source": precompiled.source_digest(entries[name][1]), "js": js})
        for name, js in sorted(compiled.items())
    ]
    text = (
        '{"runtime": '
        + json.dumps(precompiled.runtime_digest())
        + ', "modules": {\n'
        + ",\n".join(lines)
        + "\n}}\n"
    )
    path = WIDGET / precompiled.FILE_NAME
    path.write_text(text, encoding="utf-8")
    return path


def main() -> None:
    entries = python_modules()
    compiled = asyncio.run(compile_in_chromium(entries))
    path = write(entries, compiled)
    size = sum(len(js) for js in compiled.values())
    print(f"{path.relative_to(REPO)}: {len(compiled)} modules, {size:,} characters of JavaScript")


if __name__ == "__main__":
    main()
