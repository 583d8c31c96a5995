"""Benchmark: reading source documents for the 素材库 (sources/), measured side by side in one run.

    .venv/bin/python bench/sources.py              # all three parts
    .venv/bin/python bench/sources.py --only parse  # or pdf, similar

* **parse** — the three real documents (../shared/seeds 002–004) and documents of 25 and 500
  printed pages made of seed 003's and seed 004's pages (tests/sources/generated.py): time per
  page and per KB, each as the median of several rounds, and the 500-page cost per KB as a ratio
  of the 25-page one (linear: about 1×). A seed's pages are counted where its conversion marks
  them (a line with a leading space); 002 marks none and is counted at 1 200 characters a page.
* **pdf** — seed 003 typeset with Typst as a newsletter (masthead, running head, page numbers; one
  and two columns), read by pypdf, by pdfplumber's plain text and by sources.readers.read_pdf:
  titles and paragraphs found exactly as in the text file, and the time per page.
* **similar** — near-duplicates: the 30 candidates of 002–004 against the 74 articles of
  2024年第01/02期 and against each other, the distribution of scores and the top pairs, excerpts
  made from the candidates, and how far MinHash (datasketch, if installed) would be off.
"""

from __future__ import annotations

import argparse
import gc
import html
import io
import itertools
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from importer.parse import parse_issue  # noqa: E402
from sources.parse import parse_source  # noqa: E402
from sources.readers import read_pdf  # noqa: E402
from sources.similar import (  # noqa: E402
    LIKELY_EXCERPTED,
    Index,
    fingerprint,
    jaccard,
    overlap,
    shingles,
)
from tests.seeds import ISSUE_01, ISSUE_02, seed_text  # noqa: E402
from tests.sources.generated import excerpt_of, generated_document  # noqa: E402
from tests.sources.pdfs import newsletter_pdf  # noqa: E402
from tests.sources.seedfiles import NEWSLETTER, POLICY, UNIVERSITY  # noqa: E402

CHARS_PER_PAGE = 1200


def timed(call, rounds: int, *, pause_gc: bool = False) -> float:
    """Median seconds of ``rounds`` calls; with ``pause_gc`` the garbage collector waits (its full
    collections grow with the heap and would measure the allocator, not the parser)."""
    times = []
    for _ in range(rounds):
        gc.collect()
        if pause_gc:
            gc.disable()
        try:
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return statistics.median(times)


def pages_of(text: str) -> int:
    """Printed pages where the conversion marks them (a line with one leading space), else at
    1 200 characters a page."""
    marked = sum(1 for line in text.split("\n") if line[:1] == " " and line.strip()) + 1
    return max(marked, round(len(text) / CHARS_PER_PAGE))


def bench_parse() -> None:
    print("== parse: text in, candidates out (median of rounds, garbage collector paused)")
    head = f"{'document':34} {'pages':>5} {'KB':>6} {'articles':>8} {'ms':>8}"
    print(f"{head} {'ms/page':>8} {'ms/KB':>7}")
    rows = []
    for label, text in [
        ("002 policy plan", seed_text(POLICY)),
        ("003 newsletter", seed_text(NEWSLETTER)),
        ("004 university newsletter", seed_text(UNIVERSITY)),
        ("25 pages of 003", generated_document(25, NEWSLETTER)),
        ("500 pages of 003", generated_document(500, NEWSLETTER)),
        ("25 pages of 004", generated_document(25, UNIVERSITY)),
        ("500 pages of 004", generated_document(500, UNIVERSITY)),
    ]:
        pages = 25 if label.startswith("25") else 500 if label.startswith("500") else pages_of(text)
        size = len(text.encode()) / 1024
        rounds = 3 if pages >= 500 else 9
        seconds = timed(lambda text=text: parse_source(text), rounds, pause_gc=True)
        articles = len(parse_source(text).articles)
        rows.append((label, seconds / size))
        print(
            f"{label:34} {pages:5d} {size:6.0f} {articles:8d} {seconds * 1000:8.1f}"
            f" {seconds * 1000 / pages:8.2f} {seconds * 1000 / size:7.3f}"
        )
    per_kb = dict(rows)
    for seed in ("003", "004"):
        ratio = per_kb[f"500 pages of {seed}"] / per_kb[f"25 pages of {seed}"]
        print(f"500 pages of {seed} per KB ÷ 25 pages per KB: {ratio:.2f}× (linear ≈ 1×)")


def _k(text: str) -> str:
    return re.sub(r"\s+", "", text)


def bench_pdf() -> None:
    import pdfplumber
    import pypdf

    print("\n== pdf: seed 003 typeset as a newsletter, read back")
    reference = parse_source(seed_text(NEWSLETTER))
    paragraphs = [_k(p) for a in reference.articles for p in a.paragraphs]
    titles = [a.title for a in reference.articles]

    def with_pypdf(data: bytes) -> list[str]:
        out: list[str] = []
        for number, page in enumerate(pypdf.PdfReader(io.BytesIO(data)).pages):
            out += (["\f"] if number else []) + page.extract_text().split("\n")
        return out

    def with_pdfplumber(data: bytes) -> list[str]:
        out: list[str] = []
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages):
                out += (["\f"] if number else []) + (page.extract_text() or "").split("\n")
        return out

    readers = [("pypdf", with_pypdf), ("pdfplumber plain", with_pdfplumber)]
    readers.append(("sources.readers.read_pdf", read_pdf))
    print(
        f"{'reader':26} {'columns':>7} {'pages':>5} {'titles':>7} {'paragraphs':>10} {'ms/page':>8}"
    )
    for columns in (2, 1):
        data = newsletter_pdf(reference, columns=columns)
        pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
        for name, read in readers:
            seconds = timed(lambda read=read, data=data: read(data), 3)
            doc = parse_source(read(data))
            found = {_k(p) for a in doc.articles for p in a.paragraphs}
            share = sum(p in found for p in paragraphs) / len(paragraphs)
            hits = sum(t in {a.title for a in doc.articles} for t in titles)
            print(
                f"{name:26} {columns:7d} {pages:5d} {hits:4d}/{len(titles)} {share:10.1%}"
                f" {seconds * 1000 / pages:8.1f}"
            )


def _plain(body_html: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "\n", body_html))


def bench_similar() -> None:
    print("\n== similar: exact overlap of character 3-grams")
    articles = {}
    for name, label in ((ISSUE_02, "2024年第02期"), (ISSUE_01, "2024年第01期")):
        for a in parse_issue(seed_text(name)).articles:
            articles[f"{label} {a.number} {a.title[:14]}"] = "\n".join(
                [a.title, a.subtitle, _plain(a.body_html)]
            )
    candidates = {}
    for name in (POLICY, NEWSLETTER, UNIVERSITY):
        for number, a in enumerate(parse_source(seed_text(name)).articles, start=1):
            candidates[f"{name[:3]}#{number} {a.title[:14]}"] = a.text
    start = time.perf_counter()
    prints = {k: fingerprint(v) for k, v in {**articles, **candidates}.items()}
    made = time.perf_counter() - start
    print(
        f"{len(candidates)} candidates, {len(articles)} articles; fingerprints {made * 1000:.0f} ms"
    )

    pairs = {
        "candidate × article": [
            (c, a, overlap(prints[c], prints[a]), jaccard(prints[c], prints[a]))
            for c, a in itertools.product(candidates, articles)
        ],
        "candidate × candidate": [
            (c, d, overlap(prints[c], prints[d]), jaccard(prints[c], prints[d]))
            for c, d in itertools.combinations(candidates, 2)
        ],
        "excerpt × its candidate": [
            (c, "excerpt", overlap(fingerprint(excerpt_of(t)), prints[c]), 0.0)
            for c, t in candidates.items()
        ],
    }
    print(f"{'pairs':24} {'n':>5} {'min':>6} {'p50':>6} {'p90':>6} {'p99':>6} {'max':>6}")
    for kind, rows in pairs.items():
        scores = sorted(r[2] for r in rows)
        q = [scores[min(len(scores) - 1, int(p * len(scores)))] for p in (0.5, 0.9, 0.99)]
        print(
            f"{kind:24} {len(scores):5d} {scores[0]:6.3f} "
            + " ".join(f"{v:6.3f}" for v in q)
            + f" {scores[-1]:6.3f}"
        )
    print(f"threshold LIKELY_EXCERPTED = {LIKELY_EXCERPTED}; top pairs (overlap, Jaccard):")
    ranked = sorted(
        pairs["candidate × article"] + pairs["candidate × candidate"], key=lambda r: -r[2]
    )
    for c, a, score, jac in ranked[:8]:
        print(f"  {score:.3f} {jac:.3f}  {c} | {a}")
    focus = next(
        r for r in pairs["candidate × article"] if r[0].startswith("003#1") and "02期 1.1.3" in r[1]
    )
    print(f"003's notice × 2024年第02期 1.1.3 (related, different notices): {focus[2]:.3f}")
    index = Index((k, prints[k]) for k in articles)
    seconds = timed(lambda: [index.matches(prints[c]) for c in candidates], 5)
    count = f"{len(candidates)} candidates against {len(articles)} articles"
    print(f"Index: {count}: {seconds * 1000:.1f} ms")

    try:
        import numpy as np
        from datasketch import MinHash
    except ImportError:
        print("(MinHash comparison skipped: pip install datasketch==2.0.0)")
        return
    sets = {k: shingles(v) for k, v in {**articles, **candidates}.items()}
    for permutations in (128, 256):

        def signature(found: set[str], permutations=permutations):
            minhash = MinHash(num_perm=permutations, seed=1)
            minhash.update_batch([s.encode() for s in found])
            return minhash.hashvalues

        signatures = {k: signature(v) for k, v in sets.items()}
        errors = []
        for c, a in itertools.product(candidates, articles):
            x, y = sets[c], sets[a]
            j = float(np.mean(signatures[c] == signatures[a]))
            estimate = min(1.0, j * (len(x) + len(y)) / (1 + j) / min(len(x), len(y)))
            errors.append(estimate - len(x & y) / min(len(x), len(y)))
        print(
            f"MinHash {permutations} permutations, overlap from its Jaccard: mean |error|"
            f" {statistics.mean(abs(e) for e in errors):.3f}, worst over-estimate {max(errors):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["parse", "pdf", "similar"])
    args = parser.parse_args()
    if args.only in (None, "parse"):
        bench_parse()
    if args.only in (None, "pdf"):
        bench_pdf()
    if args.only in (None, "similar"):
        bench_similar()


if __name__ == "__main__":
    main()
