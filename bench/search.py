"""Benchmark: Chinese full-text search at 100 000 documents, on SQLite and on PostgreSQL, beside a
plain ``icontains`` scan of the same rows, measured side by side in one run.

    .venv/bin/python bench/search.py                  # both databases (PostgreSQL via
                                                      # scripts/with-postgres.sh), 100 000 documents
    .venv/bin/python bench/search.py --db sqlite --docs 20000 --rounds 5
    .venv/bin/python bench/search.py --docs 10000 --length 3000-3000   # whole articles

The corpus is built from the two seed issues: each search document is a seed article's title, tags
and facets with a run of its consecutive paragraphs (60–300 characters, or ``--length``; at most
the whole article), so the text is the archive's own and the documents are article-sized excerpts.
With fewer documents more queries stay under RANK_LIMIT and are ranked (not "broad"); with longer
ones ranking reads longer bodies. They are written through the search
package's own indexing code into a throw-away database.

For each query of a fixed mix (2-character, 4-character, Latin, multi-word, rare, very common) it
measures, round-robin so that noise hits every query alike:

* ``page`` — the ranked first page: counts per kind, facet counts, the 20 best ids (backend.search);
* ``full`` — ``search()`` as the page and API call it: the above plus highlighted snippets;
* ``scan`` — the plain alternative: ``icontains`` on title and text for each term, the count and the
  first 20 rows.

It prints median and p95 per query and over the whole mix, and the ratio scan / page. Targets at
100 000 documents: p95 of the ranked first page under 50 ms on both databases, median at least 20×
faster than the scan.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ("000_0ec56b905e075df0.txt", "001_7b01a3bcb4e051d6.txt")
TARGET_P95_MS = 50.0
TARGET_RATIO = 20.0

# (kind of query, query); the mix the issue asks for.
QUERIES = [
    ("2 字", "产教"),
    ("2 字", "家政"),
    ("2 字", "技能"),
    ("4 字", "产教融合"),
    ("4 字", "低空经济"),
    ("4 字", "职普融通"),
    ("拉丁", "eVTOL"),
    ("拉丁", "5G"),
    ("多词", "产教融合 广州"),
    ("多词", "技工教育 -广州"),
    ("多词", '"数字化转型" 职业教育'),
    ("罕见", "三全五育"),
    ("罕见", "功夫工坊"),
    ("常见", "教育"),
    ("常见", "发展"),
    ("常见", "的"),
]


def _setup(database_url: str, workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "zhijiao.settings",
            "SECRET_KEY": "bench-only-" + "x" * 40,
            # DEBUG off: with it on, Django keeps every query in memory.
            "DEBUG": "0",
            "ZHIJIAO_MANIFEST_STATIC": "0",
            "ZHIJIAO_VAR_DIR": str(workdir),
            "DATABASE_URL": database_url,
            "ZHIJIAO_PDF_AUTOBUILD": "0",
        }
    )
    import django

    django.setup()


def _build(docs: int, seed: int, length: tuple[int, int]) -> tuple[int, float]:
    """Migrate, import the seeds, write ``docs`` search documents. Returns (characters, seconds)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    from core.changes import content_change
    from importer.load import import_issue
    from search.backends import get_backend
    from search.documents import source
    from search.indexing import row
    from search.models import SearchDocument

    call_command("migrate", verbosity=0)
    with content_change():  # one unit: the index follows once, at its end
        for name in SEEDS:
            text = (Path(settings.ZHIJIAO_SEEDS_DIR) / name).read_text(encoding="utf-8")
            import_issue(text=text, publish=True)
    articles = source("article")
    sources = articles.documents(list(articles.ids()))
    paragraphs_of = [doc.body.split("\n") for doc in sources]
    rng = random.Random(seed)
    backend = get_backend()
    started = time.perf_counter()
    chars = 0
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        rows = []
        for n in range(docs):
            pick = rng.randrange(len(sources))
            paragraphs = paragraphs_of[pick]
            start = rng.randrange(len(paragraphs))
            want = rng.randint(*length)
            taken: list[str] = []
            for paragraph in paragraphs[start:] + paragraphs[:start]:
                taken.append(paragraph)
                if sum(map(len, taken)) >= want:
                    break
            excerpt = "\n".join(taken)
            doc = replace(sources[pick], body=excerpt, text=excerpt, object_id=n + 1)
            chars += len(doc.title) + len(excerpt)
            rows.append(row(doc, backend))
            if len(rows) == 2000:
                SearchDocument.objects.bulk_create(rows)
                rows = []
        SearchDocument.objects.bulk_create(rows)
        backend.after_rebuild()
    return chars, time.perf_counter() - started


def _scan(query: str) -> tuple[int, list[int]]:
    """What a search without an index does: icontains per term, count, first page."""
    from django.db.models import Q

    from core.tokens import parse_query
    from search.models import SearchDocument

    rows = SearchDocument.objects.filter(kind="article")
    for term in parse_query(query).terms:
        match = Q(title__icontains=term.text) | Q(text__icontains=term.text)
        rows = rows.exclude(match) if term.negative else rows.filter(match)
    return rows.count(), list(rows.order_by("id").values_list("id", flat=True)[:20])


def _measure(rounds: int) -> dict[str, dict[str, list[float]]]:
    from django.utils import timezone

    from core.tokens import parse_query
    from search.backends import Filters, get_backend
    from search.service import search

    backend = get_backend()

    def page(q: str) -> None:
        backend.search(
            query=parse_query(q),
            kinds=("article",),
            filters=Filters(),
            offset=0,
            limit=20,
            now=timezone.now(),
        )

    def full(q: str) -> None:
        search(query=q, kinds=["article"])

    def scan(q: str) -> None:
        _scan(q)

    timings: dict[str, dict[str, list[float]]] = {q: {} for _, q in QUERIES}
    for _, q in QUERIES:  # warm the caches once, untimed
        page(q), full(q), scan(q)
    for _ in range(rounds):
        for _, q in QUERIES:
            for name, fn in (("page", page), ("full", full), ("scan", scan)):
                started = time.perf_counter()
                fn(q)
                timings[q].setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return timings


def _p95(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]
    )


def _describe() -> str:
    """The database, its version and the size of the search table with its indexes."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
            size = Path(connection.settings_dict["NAME"]).stat().st_size
            where = "database file"
        else:
            cursor.execute("SHOW server_version")
            version = f"PostgreSQL {cursor.fetchone()[0]}"
            cursor.execute("SELECT pg_total_relation_size('articles_searchdocument')")
            size = cursor.fetchone()[0]
            where = "search table with TOAST and indexes"
    return f"{version}, {where} {size / 2**20:.0f} MiB"


def _report(vendor: str, docs: int, chars: float, seconds: float, timings) -> bool:
    from search.service import search

    print(f"\n== {_describe()}: {docs} documents, {chars / 1e6:.1f} M characters "
          f"(average {chars / docs:.0f}), written and indexed in {seconds:.1f} s ==")  # fmt: skip
    print(f"{'':6} {'query':24} {'matches':>8} {'page med':>9} {'p95':>7} {'full med':>9} "
          f"{'p95':>7} {'scan med':>9} {'p95':>7} {'scan/page':>10}")  # fmt: skip
    every: dict[str, list[float]] = {"page": [], "full": [], "scan": []}
    for label, q in QUERIES:
        t = timings[q]
        for name in every:
            every[name] += t[name]
        result = search(query=q, kinds=["article"], per_page=1)
        if result.count_is_exact:
            matches = str(result.count)
        elif result.count_at_least:  # PostgreSQL stops counting a broad query's matches
            matches = f">{result.count - 1}"
        else:
            matches = f"~{result.count}"
        med = {name: statistics.median(t[name]) for name in t}
        print(
            f"{label:6} {q:24} {matches:>8} {med['page']:>9.2f} {_p95(t['page']):>7.2f} "
            f"{med['full']:>9.2f} {_p95(t['full']):>7.2f} {med['scan']:>9.2f} "
            f"{_p95(t['scan']):>7.2f} {med['scan'] / med['page']:>9.1f}×"
        )
    med = {name: statistics.median(v) for name, v in every.items()}
    p95 = {name: _p95(v) for name, v in every.items()}
    ratio = med["scan"] / med["page"]
    print(
        f"{'all':6} {'(whole mix)':24} {'':>8} {med['page']:>9.2f} {p95['page']:>7.2f} "
        f"{med['full']:>9.2f} {p95['full']:>7.2f} {med['scan']:>9.2f} {p95['scan']:>7.2f} "
        f"{ratio:>9.1f}×"
    )
    ok = p95["page"] < TARGET_P95_MS and ratio >= TARGET_RATIO
    print(
        f"targets: ranked first page p95 {p95['page']:.1f} ms (< {TARGET_P95_MS:.0f}), "
        f"median {ratio:.1f}× faster than the scan (≥ {TARGET_RATIO:.0f}×): "
        + ("met" if ok else "NOT met")
    )
    return ok


def _length(value: str) -> tuple[int, int]:
    low, _, high = value.partition("-")
    low, high = int(low), int(high or low)
    if not 0 < low <= high:
        raise argparse.ArgumentTypeError("MIN-MAX with 0 < MIN <= MAX")
    return low, high


def _child(args) -> int:
    with tempfile.TemporaryDirectory(prefix="zhijiao-bench-") as tmp:
        workdir = Path(tmp)
        url = os.environ.get("DATABASE_URL", "") if args.db == "postgres" else ""
        _setup(url or f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
        from django.db import connection

        chars, seconds = _build(args.docs, args.seed, args.length)
        timings = _measure(args.rounds)
        return 0 if _report(connection.vendor, args.docs, chars, seconds, timings) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["both", "sqlite", "postgres"], default="both")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=10, help="timed runs of each query")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--length", type=_length, default=(60, 300), help="characters of each excerpt, MIN-MAX"
    )
    args = parser.parse_args()
    if args.db != "both":
        if args.db == "postgres" and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            sys.exit("--db postgres needs DATABASE_URL (or run with --db both)")
        return _child(args)
    common = ["--docs", str(args.docs), "--rounds", str(args.rounds), "--seed", str(args.seed)]
    common += ["--length", "-".join(map(str, args.length))]
    me = [sys.executable, str(Path(__file__).resolve())]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    status = subprocess.call([*me, "--db", "sqlite", *common], env=env)
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pg = [*me, "--db", "postgres", *common]
    else:
        pg = [str(ROOT / "scripts" / "with-postgres.sh"), *me, "--db", "postgres", *common]
    return status | subprocess.call(pg)


if __name__ == "__main__":
    sys.exit(main())
