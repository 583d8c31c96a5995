"""Benchmark: 2024年第02期 as a PDF with the project's engine (Typst) and, in the same run, its HTML
print view (打印整期) with WeasyPrint; then the save path (an article save builds no PDF, publishing
builds it after the commit), readers asking at once for a missing PDF (one build), and a stored PDF
served through the Django view.

    .venv/bin/pip install -e '.[dev,bench]'     # WeasyPrint is only needed here
    .venv/bin/python bench/pdf.py [--runs 3]

Each engine runs in a fresh child process (so its peak memory is its own, and Typst's first run
includes loading the fonts, as after a deploy). Prints wall time, peak memory, pages and size for
each, and the ratio. Works on its own throw-away SQLite database and media folder: the seed issue is
imported there first.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = "000_0ec56b905e075df0.txt"  # 2024年第02期, with the 500-row registry appendix
TARGET_RATIO = 5.0
TARGET_SERVE_MS = 50.0


def _setup(workdir: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "zhijiao.settings",
            "SECRET_KEY": "bench-only-" + "x" * 40,
            "DEBUG": "0",
            "ZHIJIAO_MANIFEST_STATIC": "0",
            "ALLOWED_HOSTS": "testserver",  # requests go through Django's test client
            "ZHIJIAO_VAR_DIR": str(workdir),
            "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "MEDIA_ROOT": str(workdir / "media"),
            # Build when the benchmark says so, not as a side effect of the import.
            "ZHIJIAO_PDF_AUTOBUILD": "0",
        }
    )
    import django

    # whitenoise looks for collected static files, which a benchmark does not need.
    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()


def _load_seed() -> None:
    from django.conf import settings
    from django.core.management import call_command

    from importer.load import import_issue

    call_command("migrate", verbosity=0)
    seed = Path(settings.ZHIJIAO_SEEDS_DIR) / SEED
    if not seed.exists():
        sys.exit(f"The seed issue is missing: {seed} (set ZHIJIAO_SEEDS)")
    import_issue(text=seed.read_text(encoding="utf-8"), publish=True)


def _memory_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _measured(work):
    """Run ``work()`` and return (result, seconds, peak memory above the start in MiB)."""
    # Reset this process's peak RSS (Linux), so the peak is that of ``work`` alone.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    before = _memory_kib("VmRSS")
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    return result, seconds, max(0, _memory_kib("VmHWM") - before) / 1024


def _pages(pdf: bytes) -> int:
    import io

    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _typst_child() -> dict:
    from issues.models import Issue
    from printing.build import build_issue_pdf

    issue = Issue.objects.get(year=2024, number=2)
    first, seconds, memory = _measured(lambda: build_issue_pdf(issue=issue))
    again = [_measured(lambda: build_issue_pdf(issue=issue))[1] for _ in range(3)]
    return {
        "seconds": seconds,
        "memory": memory,
        "pages": _pages(first),
        "size": len(first),
        "warm": statistics.median(again),
    }


def _print_html() -> str:
    from django.test import Client

    response = Client().get("/issues/2024/2/print/")
    assert response.status_code == 200, response.status_code
    # The page links its stylesheet as /static/…; WeasyPrint reads it from the source folder.
    return response.content.decode().replace('href="/static/', f'href="file://{ROOT}/static/')


def _weasyprint_child() -> dict:
    import weasyprint

    def work():
        started = time.perf_counter()
        html = _print_html()
        html_seconds = time.perf_counter() - started
        return weasyprint.HTML(string=html, base_url=str(ROOT)).write_pdf(), html_seconds

    (pdf, html_seconds), seconds, memory = _measured(work)
    return {
        "seconds": seconds,
        "memory": memory,
        "pages": _pages(pdf),
        "size": len(pdf),
        "html": html_seconds,
    }


def _child(target, args, queue) -> None:
    try:
        queue.put(target(*args))
    except BaseException:  # report it to the parent, which would otherwise wait for ever
        queue.put({"error": traceback.format_exc()})


def _in_child(target, *args) -> dict:
    from django.db import connections

    connections.close_all()  # the child opens its own
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_child, args=(target, args, queue))
    process.start()
    result = queue.get()
    process.join()
    if "error" in result:
        sys.exit(f"{target.__name__} failed:\n{result['error']}")
    return result


def _serve_times(requests: int) -> list[float]:
    from django.test import Client

    client = Client()
    client.get("/issues/2024/2/pdf/")  # builds and stores it, if not yet there
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/issues/2024/2/pdf/")
        size = sum(len(chunk) for chunk in response.streaming_content)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and size > 0
    return times


def _counting_builds() -> list[float]:
    """Wrap the stored PDFs' build: the list gets each build's seconds."""
    from printing import storage

    builds: list[float] = []
    real = storage.render_source

    def render(source):
        started = time.perf_counter()
        try:
            return real(source)
        finally:
            builds.append(time.perf_counter() - started)

    storage.render_source = render
    return builds


def _save_path(saves: int) -> dict:
    """Article saves and one publish, with the PDF warm-up on as in production."""
    from django.test import override_settings

    from articles.models import Article
    from articles.publishing import set_status
    from core.publishing import Status
    from issues.models import Issue

    builds = _counting_builds()
    issue = Issue.objects.get(year=2024, number=2)
    article = Article.objects.filter(issue=issue).order_by("position").first()
    with override_settings(ZHIJIAO_PDF_AUTOBUILD=True):
        times = []
        for i in range(saves):
            article.subtitle = f"基准测试 {i}"
            started = time.perf_counter()
            article.save()
            times.append((time.perf_counter() - started) * 1000)
        saved_builds = len(builds)
        Issue.objects.filter(pk=issue.pk).update(status=Status.DRAFT)
        started = time.perf_counter()
        set_status(objects=Issue.objects.filter(pk=issue.pk), status=Status.PUBLISHED)
        publish = time.perf_counter() - started
    return {
        "save_ms": statistics.median(times),
        "save_builds": saved_builds,
        "publish": publish,
        "publish_builds": len(builds) - saved_builds,
    }


def _first_requests(readers: int) -> dict:
    """``readers`` requests at once for the issue's PDF, not yet stored: how many builds."""
    import threading

    from django.db import connections
    from django.test import Client

    from issues.models import Issue
    from printing import storage

    storage.delete_issue_pdfs(issue_id=Issue.objects.get(year=2024, number=2).pk)
    builds = _counting_builds()
    start = threading.Barrier(readers)
    times, statuses = [], []

    def reader() -> None:
        try:
            client = Client()
            start.wait(30)
            started = time.perf_counter()
            response = client.get("/issues/2024/2/pdf/")
            b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert statuses == [200] * readers, statuses
    return {"readers": readers, "builds": len(builds), "slowest": max(times)}


def _median(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per engine (median)")
    parser.add_argument("--requests", type=int, default=50, help="cached PDF requests to time")
    parser.add_argument("--saves", type=int, default=10, help="article saves to time")
    parser.add_argument("--readers", type=int, default=4, help="readers asking at once")
    args = parser.parse_args()
    # Only look: each child imports its own engine.
    weasyprint = importlib.util.find_spec("weasyprint")

    with tempfile.TemporaryDirectory(prefix="zhijiao-bench-") as tmp:
        _setup(Path(tmp))
        _load_seed()
        # Alternate the engines, so that both see the same machine (others may be busy on it).
        typst_runs, weasy_runs = [], []
        for _ in range(args.runs):
            typst_runs.append(_in_child(_typst_child))
            if weasyprint:
                weasy_runs.append(_in_child(_weasyprint_child))
        saving = _save_path(args.saves)
        first = _first_requests(args.readers)
        serve = _serve_times(args.requests)
    t = _median(typst_runs)
    weasy = _median(weasy_runs) if weasy_runs else None

    print(
        f"2024年第02期, whole issue (40 articles, 500-row appendix), A4; median of {args.runs} "
        "fresh processes per engine\n"
    )
    print(f"{'engine':<34} {'wall s':>8} {'peak MiB':>9} {'pages':>6} {'size KiB':>9}")
    print(
        f"{'Typst (first build, fonts loaded)':<34} {t['seconds']:>8.2f} {t['memory']:>9.0f} "
        f"{t['pages']:>6} {t['size'] / 1024:>9.0f}"
    )
    print(f"{'Typst (rebuild, same process)':<34} {t['warm']:>8.2f}")
    if weasy:
        print(
            f"{'WeasyPrint (print view HTML)':<34} {weasy['seconds']:>8.2f} "
            f"{weasy['memory']:>9.0f} {weasy['pages']:>6} {weasy['size'] / 1024:>9.0f}"
        )
        print(f"{'  of which rendering the HTML':<34} {weasy['html']:>8.2f}")
        ratio = weasy["seconds"] / t["seconds"]
        print(
            f"\nTypst is {ratio:.1f}× faster than WeasyPrint (first build; "
            f"{weasy['seconds'] / t['warm']:.0f}× on a rebuild), target ≥ {TARGET_RATIO:.0f}×: "
            f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}"
        )
    print(
        f"Article save, PDF warm-up on: median {saving['save_ms']:.0f} ms, "
        f"{saving['save_builds']} PDF builds in {args.saves} saves (target 0: "
        f"{'met' if saving['save_builds'] == 0 else 'NOT met'}); publishing the issue "
        f"{saving['publish']:.2f} s with {saving['publish_builds']} build after the commit"
    )
    print(
        f"{first['readers']} readers at once for the missing PDF: {first['builds']} build "
        f"(target 1: {'met' if first['builds'] == 1 else 'NOT met'}), slowest answer "
        f"{first['slowest']:.2f} s"
    )
    median, p95 = statistics.median(serve), sorted(serve)[int(len(serve) * 0.95) - 1]
    print(
        f"Stored PDF served by the view: median {median:.1f} ms, p95 {p95:.1f} ms over "
        f"{len(serve)} requests, target < {TARGET_SERVE_MS:.0f} ms: "
        f"{'met' if p95 < TARGET_SERVE_MS else 'NOT met'}"
    )
    if not weasy:
        print(
            "\nWeasyPrint is not installed: nothing to compare with. Install it with\n"
            "    .venv/bin/pip install -e '.[bench]'\n"
            "(it needs Pango, Debian's libpango-1.0-0), then run this again."
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
