"""The bot's figures (docs/performance.md, "The AI bot"):

- retrieval recall@3 on the demo question set's paraphrases (the page that answers is
  among the 3 best passages), on SQLite FTS5;
- p95 retrieval time with `--chunks` chunks (default 10,000) in one site, on SQLite;
- handoff precision and recall of Porch's own rules on the labelled transcripts;
- first-token overhead: from the visitor's message to the first streamed token sent to
  the widget, minus the fake model's own time to first token (the real SDK against
  tests/bot/fake_anthropic.py; the job is run as soon as it is committed);
- with `--live` and a real ANTHROPIC_API_KEY: the share of questions answered with a
  citation, and of must-not-answer questions declined (not run in CI).

Prints a JSON line last.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "server"))
sys.path.insert(0, str(REPO))

from porch import bot, realtime, tickets  # noqa: E402
from porch.app import build_services  # noqa: E402
from porch.bot import rules, settings  # noqa: E402
from porch.bot.demo import seed_knowledge  # noqa: E402
from porch.bot.knowledge.models import Document  # noqa: E402
from porch.bot.knowledge.store import KnowledgeBase  # noqa: E402
from porch.bot.retrieval import retrieve  # noqa: E402
from porch.bot.settings import BotSettingsUpdate, key_box  # noqa: E402
from porch.config import Config  # noqa: E402
from porch.db.migrate import upgrade  # noqa: E402
from porch.services import Services  # noqa: E402
from porch.visitors.models import Page  # noqa: E402

QUESTIONS = json.loads((REPO / "tests/bot/questions.json").read_text())
VOCABULARY = [
    "roast",
    "bean",
    "grind",
    "kettle",
    "filter",
    "crema",
    "aroma",
    "acidity",
    "body",
    "origin",
    "farm",
    "harvest",
    "washed",
    "natural",
    "honey",
    "process",
    "altitude",
    "varietal",
    "bourbon",
    "typica",
    "geisha",
    "espresso",
    "latte",
    "milk",
    "foam",
    "barista",
    "tamp",
    "portafilter",
    "shot",
    "grinder",
    "burr",
    "blade",
    "scale",
    "timer",
    "bloom",
    "drip",
    "carafe",
    "mug",
    "cup",
    "saucer",
    "tray",
    "box",
    "label",
    "invoice",
    "warranty",
    "voucher",
    "loyalty",
    "points",
    "member",
    "club",
    "event",
    "tasting",
    "workshop",
    "class",
    "recipe",
    "syrup",
    "vanilla",
    "caramel",
    "hazelnut",
    "chocolate",
    "almond",
]


async def _config(data_dir: Path) -> Config:
    url = f"sqlite+aiosqlite:///{data_dir / 'bench.db'}"
    await asyncio.to_thread(upgrade, url)
    return Config(data_dir=data_dir, database_url=url, secret_key="bench-secret-key")


async def _shop(services: Services) -> tuple[int, Any]:
    site = await services.sites.create("Bench", ["https://shop.example"])
    await seed_knowledge(services, site.id)
    return site.id, site


async def recall_at_3(services: Services, site_id: int) -> dict[str, Any]:
    found = total = 0
    misses = []
    for item in QUESTIONS["questions"]:
        for question in [item["question"], *item["paraphrases"]]:
            hits = await retrieve(services.db, site_id, question, limit=3)
            total += 1
            if any(h.title == item["page"] for h in hits):
                found += 1
            else:
                misses.append(question)
    return {"recall_at_3": round(found / total, 3), "questions": total, "misses": misses}


async def retrieval_p95(
    services: Services, site_id: int, chunks: int, queries: int
) -> dict[str, Any]:
    kb = KnowledgeBase(services.db, services.clock)
    rng = random.Random(7)
    per_doc = 50
    # Filler like a real shop's pages: a broad vocabulary (Zipf-distributed made-up
    # words) with some of the shop's own words in every passage.
    words = [f"w{n}x" for n in range(5000)]
    weights = [1 / (rank + 1) for rank in range(len(words))]
    for start in range(0, chunks, per_doc):
        paragraphs = [
            " ".join(rng.choices(words, weights, k=80) + rng.choices(VOCABULARY, k=10)) + "."
            for _ in range(min(per_doc, chunks - start))
        ]
        text = "\n\n".join(paragraphs)
        # One paragraph ≈ one chunk: 90 words ≈ 600 characters.
        await kb.add_document(site_id, "file", Document(f"Filler {start}", "", text))
    questions = [q for item in QUESTIONS["questions"] for q in item["paraphrases"]]
    times, cpu = [], []
    for i in range(queries):
        question = questions[i % len(questions)]
        began, began_cpu = time.perf_counter(), time.process_time()
        await retrieve(services.db, site_id, question)
        times.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
    times.sort()
    cpu.sort()
    async with services.db.connect() as conn:
        import sqlalchemy as sa

        count = await conn.scalar(sa.text("SELECT count(*) FROM kb_chunks"))
    return {
        "chunks": int(count or 0),
        "queries": queries,
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 2),
        # CPU time of this process: what the query costs, without the waits of a busy
        # machine (the wall-clock figures above include them).
        "cpu_p50_ms": round(statistics.median(cpu), 2),
        "cpu_p95_ms": round(cpu[int(len(cpu) * 0.95) - 1], 2),
    }


def handoff_quality() -> dict[str, Any]:
    tp = fp = fn = tn = 0
    for transcript in QUESTIONS["transcripts"]:
        *earlier, last = transcript["messages"]
        decided = rules.handoff_reason(last, None, earlier) is not None
        wanted = transcript["handoff"]
        tp += decided and wanted
        fp += decided and not wanted
        fn += wanted and not decided
        tn += not decided and not wanted
    return {
        "transcripts": len(QUESTIONS["transcripts"]),
        "precision": round(tp / max(tp + fp, 1), 3),
        "recall": round(tp / max(tp + fn, 1), 3),
    }


async def first_token_overhead(data_dir: Path, runs: int) -> dict[str, Any]:
    from tests.bot.fake_anthropic import FakeAnthropic

    fake = FakeAnthropic().start()
    fake.first_token_delay = 0.2
    os.environ["ANTHROPIC_BASE_URL"] = fake.url
    os.environ.setdefault("ANTHROPIC_API_KEY", "sk-ant-bench-0000000000")
    services = build_services(await _config(data_dir / "ttft"))
    realtime.install(services)
    tickets.setup(services)
    bot.setup(services)
    site_id, site = await _shop(services)
    async with services.db.begin() as conn:
        update = BotSettingsUpdate(mode="first")
        await settings.save(conn, site_id, update, key_box(services.config.secret_key))
    first: dict[str, float] = {}
    emit = services.sio.emit

    async def timed_emit(event: str, data: Any = None, **kwargs: Any) -> Any:
        # Bench instrumentation: when the first token leaves for the widget.
        if event == "bot.stream" and data.get("text") and "at" not in first:
            first["at"], first["cpu"] = time.perf_counter(), time.process_time()
        return await emit(event, data, **kwargs)

    services.sio.emit = timed_emit  # type: ignore[method-assign]
    overheads, cpu = [], []
    try:
        for i in range(runs):
            visitor = await services.visitors.open_session(
                site, None, Page("https://shop.example/", "", "")
            )
            first.clear()
            began, began_cpu = time.perf_counter(), time.process_time()
            await services.conversations.send_visitor_message(
                visitor.id, f"b{i}", "How long does shipping take?"
            )
            await services.jobs.run_due()
            overheads.append((first["at"] - began - fake.first_token_delay) * 1000)
            cpu.append((first["cpu"] - began_cpu) * 1000)
    finally:
        await services.db.dispose()
        fake.stop()
    overheads.sort()
    cpu.sort()
    return {
        "runs": runs,
        "fake_model_ttft_ms": fake.first_token_delay * 1000,
        "overhead_p50_ms": round(statistics.median(overheads), 1),
        "overhead_p95_ms": round(overheads[max(int(len(overheads) * 0.95) - 1, 0)], 1),
        # CPU time of the process meanwhile (Porch, the SDK, and the fake reading the
        # request): the overhead without a busy machine's waits.
        "cpu_p50_ms": round(statistics.median(cpu), 1),
        "cpu_p95_ms": round(cpu[max(int(len(cpu) * 0.95) - 1, 0)], 1),
    }


async def live(services: Services, site_id: int) -> dict[str, Any]:
    """The question set against the real API (needs ANTHROPIC_API_KEY; not in CI)."""
    from porch.bot import client as model
    from porch.bot import prompt

    api = model.make_client(None)
    cited = declined = 0
    asked = [item["question"] for item in QUESTIONS["questions"]]

    async def quiet(_text: str) -> None:
        return None

    async def no_tools(_name: str, _input: dict[str, Any]) -> str | None:
        return None

    async def ask(question: str) -> model.Reply:
        passages = await retrieve(services.db, site_id, question)
        return await model.answer(
            api, model=settings.DEFAULT_MODEL, system=prompt.system("Porch Bot", ""),
            tools=prompt.tools(False), messages=prompt.messages([], question, passages),
            passages=passages, on_text=quiet, run_tool=no_tools,
        )  # fmt: skip

    for question in asked:
        cited += bool((await ask(question)).sources)
    for question in QUESTIONS["must_not_answer"]:
        reply = await ask(question)
        declined += not reply.sources or reply.tool is not None
    return {
        "answered_with_citation": round(cited / len(asked), 3),
        "declined_must_not_answer": round(declined / len(QUESTIONS["must_not_answer"]), 3),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        (data_dir / "kb").mkdir()
        (data_dir / "ttft").mkdir()
        services = build_services(await _config(data_dir / "kb"))
        try:
            site_id, _site = await _shop(services)
            figures: dict[str, Any] = {"retrieval": await recall_at_3(services, site_id)}
            figures["retrieval"].update(
                await retrieval_p95(services, site_id, args.chunks, args.queries)
            )
            figures["handoff"] = handoff_quality()
            if args.live:
                figures["live"] = await live(services, site_id)
        finally:
            await services.db.dispose()
        figures["first_token"] = await first_token_overhead(data_dir, args.runs)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--live", action="store_true", help="also ask the real API")
    figures = asyncio.run(main(parser.parse_args()))
    print(json.dumps(figures))
