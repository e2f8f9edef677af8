"""Flow documents: the shipped schema, refusals that name the JSON path of the problem,
the templates, versions, duplicate/export/import, and the `porch flow` commands."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from porch.flows import documents, templates
from porch.flows.documents import DocumentError
from tests.flows.conftest import Shop
from tests.support.processes import porch


def good() -> dict[str, Any]:
    return templates.load("pricing-page-help")


@pytest.mark.parametrize("name", templates.NAMES)
def test_every_template_is_a_valid_document(name: str) -> None:
    assert documents.check(templates.load(name))["format"] == 1


def _broken(change: Any) -> dict[str, Any]:
    document = good()
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "path", "problem"),
    [
        (lambda d: d.pop("trigger"), "$", "'trigger' is a required property"),
        (lambda d: d["trigger"].update(type="telepathy"), "$.trigger.type", "is not one of"),
        (lambda d: d["trigger"].pop("seconds"), "$.trigger", "'seconds' is a required"),
        (lambda d: d["nodes"]["ask"].update(input="colour"), "$.nodes.ask.input", "not one of"),
        (lambda d: d["nodes"]["ask"].update(colour=1), "$.nodes.ask", "unknown field"),
        (lambda d: d["nodes"]["offer"]["choices"][1].update(next="nowhere"),
         "$.nodes.offer.choices[1].next", "no node 'nowhere'"),
        (lambda d: d["nodes"]["ask"].update(next="nowhere"), "$.nodes.ask.next", "no node"),
        (lambda d: d.update(start="nowhere"), "$.start", "no node 'nowhere'"),
        (lambda d: d["trigger"]["page"].update(match="regex", value="(["),
         "$.trigger.page.value", "not a regular expression"),
        (lambda d: d["nodes"]["bye"].update(text="nul\x00"), "$.nodes.bye.text", "NUL"),
        (lambda d: d["nodes"]["offer"]["choices"].append({"id": "yes", "label": "Again"}),
         "$.nodes.offer.choices[2].id", "appears twice"),
    ],
)  # fmt: skip
def test_bad_documents_are_refused_with_the_path_of_the_error(
    change: Any, path: str, problem: str
) -> None:
    with pytest.raises(DocumentError) as refused:
        documents.check(_broken(change))
    assert refused.value.path == path
    assert problem in refused.value.problem


def test_not_json_is_refused() -> None:
    with pytest.raises(DocumentError, match=r"^\$: not JSON"):
        documents.parse("{nope")


async def test_versions_duplicate_export_import(shop: Shop) -> None:
    store = shop.engine.store
    flow = await shop.add(good(), enabled=True)
    edited = good()
    edited["nodes"]["bye"]["text"] = "Bye!"
    flow = await store.save(flow.id, edited)
    assert [v.version for v in await store.versions(flow.id)] == [1, 2]
    assert (await store.version(flow.id, 1))["nodes"]["bye"]["text"] != "Bye!"  # type: ignore[index]
    copy = await store.duplicate(flow.id)
    assert (copy.name, copy.enabled, copy.version) == ("Pricing page help (copy)", False, 1)
    exported = json.dumps(await store.export(flow.id))
    imported = await store.import_(shop.site.id, exported)
    assert imported.document == edited and not imported.enabled
    with pytest.raises(DocumentError):
        await store.save(flow.id, {"format": 1})
    assert (await store.get(flow.id)).version == 2  # a refused edit changes nothing


def test_the_flow_commands(tmp_path: Path) -> None:
    data = ["--data", str(tmp_path)]
    site = porch("site", "add", "Shop", "--origin", "https://shop.example", *data)
    key = re.search(r"Site key: (\S+)", site.stdout).group(1)  # type: ignore[union-attr]
    on_site = [*data, "--site", key]
    assert "No flows yet" in porch("flow", "list", *on_site).stdout
    added = porch("flow", "add-template", "exit-intent-discount", *on_site)
    assert added.returncode == 0 and "enabled" in added.stdout, added.stderr
    exported = porch("flow", "export", "1", *on_site)
    assert json.loads(exported.stdout) == templates.load("exit-intent-discount")
    doc = tmp_path / "flow.json"
    doc.write_text(exported.stdout.replace("Exit intent discount", "Leaving?"))
    imported = porch("flow", "import", str(doc), *on_site)
    assert "Imported flow 2 (Leaving?), disabled" in imported.stdout, imported.stderr
    assert porch("flow", "enable", "2", *on_site).returncode == 0
    assert porch("flow", "disable", "1", *on_site).returncode == 0
    listed = porch("flow", "list", *on_site).stdout.splitlines()
    assert listed[0].split()[:3] == ["1", "disabled", "exit_intent"]
    assert listed[1].split()[:2] == ["2", "enabled"]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**templates.load("lead-capture"), "start": "nowhere"}))
    refused = porch("flow", "import", str(bad), *on_site)
    assert refused.returncode == 1 and "$.start: no node 'nowhere'" in refused.stderr
    unknown = porch("flow", "add-template", "nope", *on_site)
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr
    assert porch("flow", "export", "1", *data, "--site", "nope").returncode == 1
