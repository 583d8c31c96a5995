"""Benchmark: the public site under load, as in production, and 10 editors saving at once.

    apt-get install -y wrk                      # the load generator (Debian package)
    .venv/bin/python bench/load.py              # ~7 minutes; PostgreSQL via with-postgres.sh
    .venv/bin/python bench/load.py --duration 5 --rounds 3     # a quick look
    .venv/bin/python bench/load.py --nodes 2    # two app servers, one database, one bucket

Without DATABASE_URL the script re-runs itself under ``scripts/with-postgres.sh`` (a throw-away
PostgreSQL 15 on loopback). It migrates, imports the two seed issues published, creates 10 staff
users in the 主编 group and a teacher (no staff rights), collects the static files into a
temporary STATIC_ROOT and starts gunicorn on 127.0.0.1 as in production: DEBUG off, a random
SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, the default (sync) workers, 2 × cores + 1 of them,
``ZHIJIAO_PDF_AUTOBUILD=0``.

Then, in one run:

* wrk against home, issue, article, registry and search pages, each for ``--duration`` seconds at 10
  and at 50 concurrent connections, as readers meet them (anonymous, so published pages come from
  the page cache, core/pagecache.py): requests/s, median and p99 latency, errors (non-2xx
  answers and socket errors), SQL queries and the time of one request per page (in-process, no
  load), and the ratio to Wagtail's bakerydemo (2 gunicorn workers on PostgreSQL) from issue 6:
  25 req/s home, 32 blog index, 52 blog page, 28 search. Targets: ≥ 5× those rates, p99 < 300 ms
  at 50 connections, zero errors. First it checks that a second request is a cache hit.
* The same pages at 50 connections as a logged-in teacher, as every reader is on a site closed
  with ZHIJIAO_REQUIRE_LOGIN (the shared page with their own account area; checked to carry their
  name), held to the same targets.
* The same pages at 10 and 50 connections with every request for an address never asked before
  (an ignored ``uncached=`` parameter), so each is rendered: what the cache saves, and what readers
  wait for right after a change. Target (issue 14): ≥ 5× bakerydemo's rate at 10 connections;
  at 50, shown.
* One request of every public page (those above and the archive, a community, an organisation,
  the article list, a source's list), rendered, in-process with no load, median of
  ``ONE_REQUEST_RUNS``: target ≤ 8 ms each (issue 14). Beside it, the same page right after an
  editor's save of an article of the issue those pages show (every kept page and every part
  derived from articles retired): what the first reader after a change waits for.
* 10 editors, each logged into the admin as their own user, open an article's change form and post
  it back with a changed title, ``--rounds`` times, all at once (a barrier between the GET and the
  POST); four share one article and two another, so most of their saves collide. Each save must be
  stored (its title is the article's or in ``Article.history``) or refused with "保存被拒绝";
  a save answered as stored but found nowhere is lost, and so is a second "stored" among saves
  that opened the same version (a silent overwrite). A refusal with no rival save in its round
  means the form did not carry its version (``base_version``). Target: zero lost.
  ``--fill-base-version`` fills ``base_version`` from the database at the GET when the change
  page does not render it, so that the locking path is exercised all the same.
* While they save, wrk reads the page of the article most of them edit at 50 connections (every
  save retires the cached pages): requests/s, p50/p99 and errors. Target: p99 < 300 ms, zero
  errors (issue 14).
* The same saves again while 2024年第01期 is imported over and over in the bench's process (each
  import rewrites its 40 articles in one unit of work): the saves' latencies with and without an
  import running, and whether an editor waited for an import (a save as long as an import). Target:
  no editor waits, zero lost, zero stale pages after.
* Before the saves every worker caches the edited articles' public pages (the hits are counted);
  after them, anonymous requests for those pages must all show the saved titles: no stale page
  from any worker.

The editors save through a second gunicorn of ``--editor-workers`` workers (3), as production runs
the admin (the proxy routes the admin's path to workers of its own, README "The admin on workers of
its own"); the readers keep ``--workers``. ``--editor-workers 0`` puts the editors on the readers'
workers. With ``--nodes 2`` or more the editors save through the app servers.

With ``--nodes 2`` (or more) the site runs as on several machines: that many gunicorns, each on a
port and with local folders (ZHIJIAO_VAR_DIR, MEDIA_ROOT, STATIC_ROOT) of its own, sharing the
database, the secret key and one bucket (an S3 server on loopback, moto: without
ZHIJIAO_TEST_STORAGE_URL the script re-runs itself under ``scripts/with-s3.sh``). Each level's
connections are spread over the servers (req/s added up, latencies the worse server's), editor i
saves through server i mod N, and the stale-page checks ask every server. First it checks what
several servers depend on: a login on A is valid on B, an attachment uploaded through A is served
by B, a PDF built by A is served by B without a new build (the bucket's PDF objects unchanged), an
edit saved through A is on B's pages at once, and no server wrote a file on its own disk
(tests/zhijiao/test_two_servers.py checks the same with the helpers below).

Exits non-zero only when something crashes, not when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import html.parser
import http.client
import itertools
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ("000_0ec56b905e075df0.txt", "001_7b01a3bcb4e051d6.txt")
HOST = "127.0.0.1"
LEVELS = (10, 50)
# (label, path, bakerydemo page it is compared with, its req/s there)
PAGES = [
    ("home", "/", "home", 25),
    ("issue", "/issues/2024/2/", "blog index", 32),
    ("article", "/articles/2024/2/1.1.1/", "blog page", 52),
    ("registry", "/communities/", "blog index", 32),
    ("search", "/search/?q=" + urllib.parse.quote("产教融合"), "search", 28),
]
# The other public pages, measured only in-process, rendered (the organisation's address is found
# at run time: the first lead unit of community 81).
ALSO_RENDERED = [
    ("archive", "/issues/"),
    ("community", "/communities/81/"),
    ("organization", None),
    ("articles", "/articles/"),
    ("source", "/articles/sources/" + urllib.parse.quote("中国教育报") + "/"),
]
TARGET_FACTOR = 5.0
TARGET_P99_MS = 300.0
# Issue 14: one request of any public page, rendered (no kept page), in-process.
TARGET_ONE_MS = 8.0
ONE_REQUEST_RUNS = 15
EDITORS = 10
PASSWORD = "bench-" + secrets.token_urlsafe(16)
REFUSED = "保存被拒绝"
TEACHER = "bench-teacher"
# How the pages are asked for: as an anonymous reader, as a logged-in teacher, or each request for
# a new address (rendered every time).
ANONYMOUS, LOGGED_IN, RENDERED = "anonymous", "teacher", "rendered"

# What every wrk script of this bench ends with: non-2xx answers counted per thread (wrk's own
# "status" error counts only >= 400), one JSON line at the end.
WRK_REPORT = """
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "duration_us": %d, "non2xx": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, n, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""
WRK_SCRIPT = (
    """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  non2xx = 0
  sent = 0
  uncached = args[1] == "uncached"
end
-- With "uncached", every request asks for an address nobody asked for before (an ignored
-- parameter), so the page cache never answers: what each page costs when it is rendered.
function request()
  if not uncached then return wrk.format() end
  sent = sent + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "uncached=" .. tid .. "x" .. sent)
end
"""
    + WRK_REPORT
)


# --- the site ------------------------------------------------------------------------------------


# One key for every app server: a session (a login) signed by one is read by the others.
SECRET_KEY = secrets.token_urlsafe(50)


def _environment(
    workdir: Path, database_url: str, storage_url: str | None = None
) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "zhijiao.settings",
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "ZHIJIAO_VAR_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "STATIC_ROOT": str(workdir / "static"),
        "ZHIJIAO_PDF_AUTOBUILD": "0",
        "LOG_LEVEL": "ERROR",
    }
    if storage_url:  # the files in one bucket (several app servers), not in MEDIA_ROOT
        env["ZHIJIAO_STORAGE_URL"] = storage_url
    return env


def _prepare(workdir: Path, database_url: str, storage_url: str | None = None) -> dict[str, str]:
    """Migrate, import the seeds, create the editors, collect static files (in this process)."""
    env = _environment(workdir, database_url, storage_url)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from core.roles import CHIEF_EDITOR
    from importer.load import import_issue

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    for name in SEEDS:
        seed = Path(settings.ZHIJIAO_SEEDS_DIR) / name
        if not seed.exists():
            sys.exit(f"The seed issue is missing: {seed} (set ZHIJIAO_SEEDS)")
        import_issue(text=seed.read_text(encoding="utf-8"), publish=True)
    chief = Group.objects.get(name=CHIEF_EDITOR)
    for i in range(EDITORS):
        user = User.objects.create_user(f"bench-editor-{i}", password=PASSWORD, is_staff=True)
        user.groups.add(chief)
    User.objects.create_user(TEACHER, password=PASSWORD)
    call_command("collectstatic", interactive=False, verbosity=0)
    print(f"migrated, seeds imported, static collected in {time.perf_counter() - started:.0f} s")
    return env


def _uncached(path: str, n: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}uncached={n}"


def _teacher_client():
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(SERVER_NAME=HOST)
    client.force_login(User.objects.get(username=TEACHER))
    return client


def _public_pages() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(label, path) of the pages under load (``PAGES``) and of the others (``ALSO_RENDERED``,
    the organisation's address found in the database)."""
    from communities.models import Community

    lead = Community.objects.get(number=81).lead_unit_links.order_by("pk").first().organization
    main = [(label, path) for label, path, _, _ in PAGES]
    return main, [(label, path or lead.get_absolute_url()) for label, path in ALSO_RENDERED]


def _queries_per_page() -> dict[tuple[str, str], tuple[int, float, float]]:
    """Per page and way of asking: SQL queries, median time of one request and of its SQL
    (in-process); the other public pages (``ALSO_RENDERED``) rendered only."""
    from django.db import connection
    from django.test import Client

    clients = {ANONYMOUS: Client(SERVER_NAME=HOST), LOGGED_IN: _teacher_client()}
    clients[RENDERED] = clients[ANONYMOUS]
    counts = {}
    queries: list[float] = []
    fresh = iter(range(1, 10**9))

    def count(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(time.perf_counter() - started)

    def address(path: str, mode: str) -> str:
        return _uncached(path, next(fresh)) if mode == RENDERED else path

    main, also = _public_pages()
    asked = [(label, path, mode) for label, path in main for mode in clients]
    asked += [(label, path, RENDERED) for label, path in also]
    for label, path, mode in asked:
        client = clients[mode]
        client.get(address(path, mode))  # warms this process (and stores the page)
        queries.clear()
        with connection.execute_wrapper(count):
            response = client.get(address(path, mode))
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        number = len(queries)
        times, sql = [], []
        for _ in range(ONE_REQUEST_RUNS):
            queries.clear()
            started = time.perf_counter()
            with connection.execute_wrapper(count):
                client.get(address(path, mode))
            times.append((time.perf_counter() - started) * 1000)
            sql.append(sum(queries) * 1000)
        counts[label, mode] = (number, statistics.median(times), statistics.median(sql))
    connection.close()
    return counts


def _after_a_change() -> dict[str, float]:
    """Per public page, the median time of one request right after an editor's save (in-process):
    each run first saves an article of the issue those pages show (a unit of content work, as
    the admin's save is, outside the timing), so that every kept page and every part derived from
    articles is retired, and then asks for the page."""
    from django.db import connection
    from django.test import Client

    from articles.models import Article
    from core.changes import content_change

    client = Client(SERVER_NAME=HOST)
    edited = Article.objects.get(issue__year=2024, issue__number=2, number="1.1.2")
    title = edited.title
    main, also = _public_pages()
    medians = {}
    for label, path in main + also:
        times = []
        for n in range(ONE_REQUEST_RUNS + 1):
            with content_change():
                edited.title = f"{title} 〔修改{n % 2}〕"
                edited.save()
            started = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{path} answered {response.status_code}")
        medians[label] = statistics.median(times[1:])  # the first warms this process
    with content_change():
        edited.title = title
        edited.save()
    connection.close()
    return medians


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _spawn_gunicorn(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn),
        "zhijiao.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--chdir",
        str(ROOT),
        "--graceful-timeout",
        "10",
    ]
    with log.open("w") as out:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: _stop ends the workers with it
        )
    return process, port


def _wait_ready(process: subprocess.Popen, port: int, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            if _request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"gunicorn did not answer within {seconds:.0f} s:\n{log.read_text()[-3000:]}"
    )


def _start_gunicorn(env: dict[str, str], workers: int, log: Path) -> tuple[subprocess.Popen, int]:
    process, port = _spawn_gunicorn(env, workers, log)
    try:
        _wait_ready(process, port, log)
    except BaseException:
        _stop(process)
        raise
    return process, port


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    # A worker the master left behind (it was killed, or died first): its group is ours.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


@dataclass
class Node:
    """One app server: its gunicorn, its port and its own local directory (ZHIJIAO_VAR_DIR,
    MEDIA_ROOT, STATIC_ROOT), as on a machine of its own."""

    index: int
    process: subprocess.Popen
    port: int
    directory: Path
    log: Path

    def local_files(self) -> list[str]:
        """Files written under its media folder: none when everything goes to the bucket."""
        media = self.directory / "media"
        return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def start_nodes(
    env: dict[str, str], count: int, workers: int, workdir: Path, static: Path | None = None
) -> list[Node]:
    """``count`` gunicorns on ports of their own, each with its own local directory (a copy of
    ``static``, the collected static files, in it), sharing what ``env`` names: the database,
    the bucket, the secret key. Started at once; all stopped again if one does not come up."""
    nodes: list[Node] = []
    try:
        for i in range(count):
            directory = workdir / f"node-{i}"
            (directory / "media").mkdir(parents=True)
            if static is not None:
                shutil.copytree(static, directory / "static")
            own = {
                **env,
                "ZHIJIAO_VAR_DIR": str(directory),
                "MEDIA_ROOT": str(directory / "media"),
                "STATIC_ROOT": str(directory / "static"),
            }
            log = directory / "gunicorn.log"
            process, port = _spawn_gunicorn(own, workers, log)
            nodes.append(Node(i, process, port, directory, log))
        for node in nodes:
            _wait_ready(node.process, node.port, node.log)
    except BaseException:
        stop_nodes(nodes)
        raise
    return nodes


def stop_nodes(nodes: list[Node]) -> None:
    for node in nodes:
        _stop(node.process)


# --- load ----------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    page: str
    connections: int
    mode: str
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    non2xx: int
    socket_errors: int

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors


def _wrk_command(
    port: int, path: str, connections: int, seconds: int, script: Path, mode: str, cookie: str
) -> list[str]:
    threads = max(1, min(connections, os.cpu_count() or 1))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    if mode == LOGGED_IN:
        command += ["-H", f"Cookie: {cookie}"]
    command += ["-s", str(script), f"http://{HOST}:{port}{path}"]
    if mode == RENDERED:
        command += ["--", "uncached"]
    return command


def _summary(out: str) -> dict:
    for line in out.splitlines():
        if line.startswith("JSON "):
            return json.loads(line[5:])
    raise RuntimeError(f"no summary from wrk:\n{out}")


def _shares(total: int, parts: int) -> list[int]:
    """``total`` connections spread over ``parts`` app servers (at least one each)."""
    return [max(1, total // parts + (i < total % parts)) for i in range(parts)]


def _combined(summaries: list[dict]) -> dict:
    """One summary for wrk runs side by side (one per app server): requests and errors add up,
    latencies are the worst server's."""
    if len(summaries) == 1:
        return summaries[0]
    added = ("requests", "non2xx", "connect", "read", "write", "timeout")
    worst = ("duration_us", "p50_us", "p99_us", "max_us")
    return {
        **{k: sum(s[k] for s in summaries) for k in added},
        **{k: max(s[k] for s in summaries) for k in worst},
    }


def _wrk(
    ports: list[int],
    path: str,
    connections: int,
    seconds: int,
    script: Path,
    mode: str,
    cookie: str,
) -> dict:
    """wrk at ``connections`` in all, spread over the app servers, all at once."""
    processes = [
        subprocess.Popen(
            _wrk_command(port, path, share, seconds, script, mode, cookie),
            stdout=subprocess.PIPE,
            text=True,
        )
        for port, share in zip(ports, _shares(connections, len(ports)), strict=True)
    ]
    outs = [process.communicate()[0] for process in processes]
    for process in processes:
        if process.returncode:
            raise RuntimeError(f"wrk exited with {process.returncode}")
    return _combined([_summary(out) for out in outs])


def _result(label: str, connections: int, mode: str, r: dict) -> LoadResult:
    return LoadResult(
        page=label,
        connections=connections,
        mode=mode,
        rps=r["requests"] / (r["duration_us"] / 1e6),
        p50_ms=r["p50_us"] / 1000,
        p99_ms=r["p99_us"] / 1000,
        max_ms=r["max_us"] / 1000,
        requests=r["requests"],
        non2xx=r["non2xx"],
        socket_errors=r["connect"] + r["read"] + r["write"] + r["timeout"],
    )


class Readers:
    """wrk on one page for as long as something else runs: ``with Readers(…) as readers: …``,
    then ``readers.result``."""

    def __init__(self, ports: list[int], path: str, connections: int, script: Path):
        self.commands = [
            _wrk_command(port, path, share, 3600, script, ANONYMOUS, "")
            for port, share in zip(ports, _shares(connections, len(ports)), strict=True)
        ]
        self.connections = connections

    def __enter__(self) -> Readers:
        self.processes = [
            subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
            for command in self.commands
        ]
        return self

    def __exit__(self, *exc) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGINT)  # wrk stops and prints its summary
        outs = [process.communicate(timeout=60)[0] for process in self.processes]
        summary = _combined([_summary(out) for out in outs])
        self.result = _result("article", self.connections, ANONYMOUS, summary)


def _check_pages(ports: list[int], cookie: str) -> None:
    """Before measuring: the cache answers anonymous readers, and the teacher's session is used
    (the page carries their name), so that the rows below measure what they say; on every app
    server (the session made on none of them)."""
    for port in ports:
        _check_pages_of(port, cookie)


def _check_pages_of(port: int, cookie: str) -> None:
    for _, path, _, _ in PAGES:
        # Each worker keeps its own copies: ask until one answers from its cache.
        answers = [_request(port, "GET", path)[:2] for _ in range(50)]
        if any(status != 200 for status, _ in answers):
            raise RuntimeError(f"{path}: answered {[status for status, _ in answers]}")
        if not any(found.get("x-page-cache") == ["hit"] for _, found in answers):
            raise RuntimeError(f"{path}: 50 answers and not one from the page cache")
        status, _, page = _request(port, "GET", path, headers={"Cookie": cookie})
        if status != 200 or f'<span class="who">{TEACHER}</span>'.encode() not in page:
            raise RuntimeError(f"{path}: the teacher's page does not carry their name")


def _load(ports: list[int], seconds: int, script: Path, cookie: str) -> list[LoadResult]:
    _check_pages(ports, cookie)
    for _, path, _, _ in PAGES:  # warm every worker, untimed
        _wrk(ports, path, LEVELS[0], 2, script, ANONYMOUS, cookie)
    results = []
    # As anonymous readers meet the site (cached pages), as logged-in teachers (as every reader is
    # with ZHIJIAO_REQUIRE_LOGIN), then every page rendered for every request: what readers wait
    # for right after a change, and what the cache saves.
    runs = [(c, ANONYMOUS) for c in LEVELS] + [(LEVELS[-1], LOGGED_IN)]
    runs += [(c, RENDERED) for c in LEVELS]
    for connections, mode in runs:
        for label, path, _, _ in PAGES:
            r = _wrk(ports, path, connections, seconds, script, mode, cookie)
            result = _result(label, connections, mode, r)
            print(
                f"  {label:8} c={connections:<3} {mode:9} "
                f"{result.rps:8.1f} req/s  "
                f"p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms  "
                f"errors {result.errors}"
            )
            results.append(result)
    return results


# --- editors -------------------------------------------------------------------------------------


def _request(
    port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None
) -> tuple[int, dict[str, list[str]], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        data = response.read()
        found: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            found.setdefault(name.lower(), []).append(value)
        return response.status, found, data
    finally:
        connection.close()


class Browser:
    """One editor's session over plain HTTP on loopback.

    Keeps its own cookies, including the Secure ones production sets (there is no TLS on the
    loopback bench, and a cookie jar would withhold those over http).
    """

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self,
        method: str,
        path: str,
        form: list[tuple[str, str]] | None = None,
        files: list[tuple[str, str, bytes]] | None = None,
    ):
        """``form``: the fields; ``files`` (field, file name, content) posts it as a browser
        posts a form with a file input (multipart/form-data)."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files is not None:
            body, headers["Content-Type"] = _multipart(form or [], files)
        elif form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, found, data = _request(self.port, method, path, body, headers)
        for cookie in found.get("set-cookie", []):
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return status, found, data.decode("utf-8", "replace")

    def login(self, admin: str, username: str, password: str) -> None:
        """Log in through the admin's own login form (CSRF token and all)."""
        _, _, page = self.request("GET", f"/{admin}login/")
        parser = FormParser("login-form")
        parser.feed(page)
        fields = dict(parser.fields)
        fields.update({"username": username, "password": password})
        fields.setdefault("next", f"/{admin}")
        status, _, _ = self.request("POST", f"/{admin}login/", list(fields.items()))
        if status != 302:
            raise RuntimeError(f"{username}: the login on port {self.port} answered {status}")


def _multipart(
    fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]
) -> tuple[bytes, str]:
    boundary = "----zhijiao" + secrets.token_hex(12)
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, filename, content in files:
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


class FormParser(html.parser.HTMLParser):
    """The name/value pairs a browser would submit for the form with the given id."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields: list[tuple[str, str]] = []
        self.select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self.option: dict | None = None
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.fields.append((name, a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = (name, [], [])
        elif tag == "option" and self.select is not None:
            self.option = {"value": a.get("value"), "selected": "selected" in a, "text": []}
        elif tag == "textarea" and name:
            self.textarea = (name, [])

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"].append(data)
        if self.textarea is not None:
            self.textarea[1].append(data)

    def _end_option(self):
        if self.option is not None and self.select is not None:
            value = self.option["value"]
            value = "".join(self.option["text"]).strip() if value is None else value
            self.select[1].append(value)
            if self.option["selected"]:
                self.select[2].append(value)
            self.option = None

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self.select is not None:
            self._end_option()
            name, _options, selected = self.select
            if selected:
                self.fields += [(name, v) for v in selected]
            # A single select with nothing marked sends its first option; a multiple one nothing.
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.textarea[1])
            self.fields.append((self.textarea[0], text[1:] if text.startswith("\n") else text))
            self.textarea = None


def _form_fields(page: str) -> list[tuple[str, str]]:
    parser = FormParser("article_form")
    parser.feed(page)
    if not parser.fields:
        raise RuntimeError("no article_form in the change page")
    return parser.fields


# --- what two app servers must share -------------------------------------------------------------
# Used by --nodes 2 below and by tests/zhijiao/test_two_servers.py.

ATTACHMENT = re.compile(r"/articles/attachments/(\d+)/")
# The smallest PNG (1×1): an attachment whose type the upload check reads from its bytes.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)


def _change_form(browser: Browser, admin: str, article: int) -> tuple[str, list[tuple[str, str]]]:
    change = f"/{admin}articles/article/{article}/change/"
    status, _, page = browser.request("GET", change)
    if status != 200:
        raise RuntimeError(f"{change} answered {status} on port {browser.port}")
    return change, _form_fields(page)


def _saved(browser: Browser, status: int, found: dict, page: str, what: str) -> None:
    location = found.get("location", [""])[0]
    if status != 302 or "/login/" in location:
        errors = page.split('class="errorlist', 1)[-1][:300] if status == 200 else ""
        raise RuntimeError(f"{what} on port {browser.port}: HTTP {status} {location} {errors}")


def upload_attachment(
    browser: Browser, admin: str, article: int, filename: str, content: bytes
) -> str:
    """Attach a file to an article through its admin change form (as an editor's browser does);
    returns the address readers get it at."""
    change, fields = _change_form(browser, admin, article)
    values = dict(fields)
    n = int(values["attachments-TOTAL_FORMS"])
    fields = [(k, str(n + 1) if k == "attachments-TOTAL_FORMS" else v) for k, v in fields]
    fields += [
        (f"attachments-{n}-title", filename),
        (f"attachments-{n}-article", str(article)),
        (f"attachments-{n}-id", ""),
        ("_continue", "保存并继续编辑"),
    ]
    files = [(f"attachments-{n}-file", filename, content)]
    status, found, page = browser.request("POST", change, fields, files)
    _saved(browser, status, found, page, f"uploading {filename}")
    _, _, page = browser.request("GET", change)
    ids = [int(pk) for pk in ATTACHMENT.findall(page)]
    if not ids:
        raise RuntimeError(f"the change page of article {article} lists no attachment")
    return f"/articles/attachments/{max(ids)}/"


def save_title(browser: Browser, admin: str, article: int, title: str) -> None:
    """Change an article's title through its admin change form."""
    change, fields = _change_form(browser, admin, article)
    fields = [(k, title if k == "title" else v) for k, v in fields] + [("_save", "保存")]
    status, found, page = browser.request("POST", change, fields)
    _saved(browser, status, found, page, f"saving article {article}")


def bucket_objects(storage_url: str, prefix: str = "") -> dict[str, tuple[str, str]]:
    """Every object in the bucket of ``storage_url`` under ``prefix``: key → (ETag, modified)."""
    from core.env import parse_storage_url
    from zhijiao.storage import client

    config = parse_storage_url(storage_url)
    pages = client(config).get_paginator("list_objects_v2")
    return {
        entry["Key"]: (entry["ETag"], entry["LastModified"].isoformat())
        for page in pages.paginate(Bucket=config.bucket, Prefix=prefix)
        for entry in page.get("Contents", ())
    }


@dataclass
class Check:
    what: str
    ok: bool
    detail: str


def _two_nodes(nodes: list[Node], workers: int, storage_url: str) -> list[Check]:
    """What --nodes 2 checks before measuring: A = the first app server, B = the second."""
    from django.conf import settings
    from django.db import connection
    from django.utils.html import escape

    from articles.models import Article

    admin, username, password = settings.ZHIJIAO_ADMIN_PATH, "bench-editor-0", PASSWORD
    a, b = nodes[0], nodes[1]
    checks = []
    # A login on A is a session in the database: B reads it.
    on_a = Browser(a.port)
    on_a.login(admin, username, password)
    on_b = Browser(b.port)
    on_b.cookies = dict(on_a.cookies)
    status, _, page = on_b.request("GET", f"/{admin}")
    checks.append(
        Check("a login on A is valid on B", status == 200 and username in page, f"HTTP {status}")
    )
    # An attachment uploaded through A is in the bucket: B serves it.
    article = _edited_articles()[-1]
    url = upload_attachment(on_a, admin, article, "two-servers.png", PNG)
    status, found, body = _request(b.port, "GET", url)
    same = status == 200 and body == PNG and found.get("x-content-type-options") == ["nosniff"]
    checks.append(Check("an attachment uploaded through A is served by B", same, f"{url} {status}"))
    # A PDF built by A is in the bucket: B serves it and builds (stores) nothing.
    path = "/issues/2024/2/pdf/"
    status_a, found_a, pdf_a = _request(a.port, "GET", path)
    before = bucket_objects(storage_url, "media/pdf/")
    started = time.perf_counter()
    status_b, found_b, pdf_b = _request(b.port, "GET", path)
    ms = (time.perf_counter() - started) * 1000
    after = bucket_objects(storage_url, "media/pdf/")
    same = status_a == status_b == 200 and pdf_a == pdf_b and pdf_a.startswith(b"%PDF")
    same = same and found_a.get("etag") == found_b.get("etag") and before == after
    checks.append(
        Check(
            "a PDF built by A is served by B without rebuilding",
            same,
            f"{len(pdf_b) // 1024} KiB in {ms:.0f} ms, {len(after)} PDF objects before and after",
        )
    )
    # An edit saved through A retires B's kept pages at its commit (the content token).
    article = Article.objects.filter(issue__year=2024, issue__number=1).order_by("position")[0]
    url = article.get_absolute_url()
    hits = sum(
        _request(b.port, "GET", url)[1].get("x-page-cache") == ["hit"] for _ in range(4 * workers)
    )
    title = f"{article.title} 〔两台服务器〕"
    save_title(on_a, admin, article.pk, title)
    answers = [_request(b.port, "GET", url) for _ in range(4 * workers)]
    fresh = sum(status == 200 and escape(title).encode() in page for status, _, page in answers)
    checks.append(
        Check(
            "an edit saved through A is on B's pages at once",
            hits > 0 and fresh == len(answers),
            f"B answered from its cache {hits} times before; after the save "
            f"{fresh}/{len(answers)} answers have the new title",
        )
    )
    connection.close()
    # Neither wrote a file on its own disk.
    local = [f for node in nodes for f in node.local_files()]
    checks.append(Check("no file on an app server's own disk", not local, ", ".join(local)))
    return checks


@dataclass
class Save:
    editor: int
    article: int
    round: int
    title: str
    outcome: str  # "stored", "refused" or "failed: …"
    seconds: float
    form_has_version: bool
    ended: float = 0.0  # perf_counter() when the answer came


@dataclass
class EditorRun:
    saves: list[Save] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)


def _editor(
    i: int,
    port: int,
    admin: str,
    targets: list[int],
    barrier,
    run: EditorRun,
    lock,
    fill: bool,
    phase: str = "",
) -> None:
    from django.db import connection

    from articles.models import Article

    browser = Browser(port)
    try:
        status, _, page = browser.request("GET", f"/{admin}login/")
        parser = FormParser("login-form")
        parser.feed(page)
        fields = dict(parser.fields)
        fields.update({"username": f"bench-editor-{i}", "password": PASSWORD})
        fields.setdefault("next", f"/{admin}")
        status, found, _ = browser.request("POST", f"/{admin}login/", list(fields.items()))
        if status != 302:
            raise RuntimeError(f"editor {i}: login answered {status}")
        for round_, pk in enumerate(targets):
            change = f"/{admin}articles/article/{pk}/change/"
            status, _, page = browser.request("GET", change)
            if status != 200:
                raise RuntimeError(f"editor {i}: change form answered {status}")
            fields = _form_fields(page)
            has_version = any(name == "base_version" for name, _ in fields)
            if fill and not has_version:
                version = Article.objects.filter(pk=pk).values_list("version", flat=True).get()
                fields.append(("base_version", str(version)))
            title = ""
            for n, (name, value) in enumerate(fields):
                if name == "title":
                    base = value.split(" 〔", 1)[0]
                    title = f"{base} 〔编辑{i}·第{round_ + 1}轮{phase}〕"
                    fields[n] = (name, title)
            fields.append(("_save", "保存"))
            barrier.wait()  # everybody has the form open: now all save at once
            started = time.perf_counter()
            status, found, page = browser.request("POST", change, fields)
            seconds = time.perf_counter() - started
            location = found.get("location", [""])[0]
            if status == 302 and "/login/" not in location:
                outcome = "stored"
            elif status == 200 and REFUSED in page:
                outcome = "refused"
            else:
                errors = page.split('class="errorlist', 1)[-1][:200] if status == 200 else ""
                outcome = f"failed: HTTP {status} {location} {errors}".strip()
            with lock:
                run.saves.append(
                    Save(
                        i, pk, round_ + 1, title, outcome, seconds, has_version, time.perf_counter()
                    )
                )
            barrier.wait()  # the round is over for everyone before the next form is opened
    except Exception as exc:  # reported, and the barrier released for the others
        with lock:
            run.crashes.append(f"editor {i}: {exc!r}")
        barrier.abort()
    finally:
        connection.close()


def _teacher_cookie() -> str:
    from django.conf import settings
    from django.db import connection

    session = _teacher_client().cookies[settings.SESSION_COOKIE_NAME].value
    connection.close()
    return f"{settings.SESSION_COOKIE_NAME}={session}"


def _url(article: int) -> str:
    from django.db import connection

    from articles.models import Article

    url = Article.objects.get(pk=article).get_absolute_url()
    connection.close()
    return url


def _edited_articles() -> list[int]:
    from articles.models import Article

    return list(
        Article.objects.filter(issue__year=2024, issue__number=2)
        .order_by("position")
        .values_list("pk", flat=True)[:6]
    )


def _editors(
    ports: list[int], articles: list[int], rounds: int, fill: bool, phase: str = ""
) -> tuple[EditorRun, dict]:
    from django.conf import settings
    from django.db import connection

    from articles.models import Article

    # Editors 0–3 share article A, 4–5 share article B, 6–9 each have their own.
    plan = [0, 0, 0, 0, 1, 1, 2, 3, 4, 5]
    before = {pk: Article.history.filter(id=pk).count() for pk in articles}
    connection.close()
    run = EditorRun()
    lock = threading.Lock()
    barrier = threading.Barrier(EDITORS, timeout=120)
    threads = [
        threading.Thread(
            target=_editor,
            # Editor i saves through app server i mod N: the rivals of a save are on both.
            args=(
                i,
                ports[i % len(ports)],
                settings.ZHIJIAO_ADMIN_PATH,
                [articles[plan[i]]] * rounds,
                barrier,
            ),
            kwargs={"run": run, "lock": lock, "fill": fill, "phase": phase},
        )
        for i in range(EDITORS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return run, {"articles": articles, "plan": plan, "history_before": before}


class Importing:
    """Re-imports 2024年第01期 (its 40 articles, published) over and over in this process while
    the editors save articles of 2024年第02期: what an editor meets when an import is running."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.seconds: list[float] = []
        self.spans: list[tuple[float, float]] = []
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        from django.conf import settings
        from django.db import connection

        from importer.load import import_issue

        text = (Path(settings.ZHIJIAO_SEEDS_DIR) / SEEDS[1]).read_text(encoding="utf-8")
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                started = time.perf_counter()
                # A different text each time, so each import rewrites every article.
                import_issue(
                    text=text.replace("。", f"。{n % 2 * ' '}", 40), publish=True, replace=True
                )
                ended = time.perf_counter()
                self.seconds.append(ended - started)
                self.spans.append((started, ended))
        except Exception as exc:  # reported
            self.errors.append(repr(exc))
        finally:
            connection.close()

    def __enter__(self) -> Importing:
        self.thread.start()
        while not self.spans and self.thread.is_alive():
            time.sleep(0.05)  # the first import has run: the timing is known
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join()


def _check_saves(run: EditorRun, info: dict) -> dict:
    from articles.models import Article

    counts = {"stored": 0, "refused": 0, "lost": 0, "refused but stored": 0, "failed": 0}
    stored_in: dict[tuple[int, int], int] = {}
    for save in run.saves:
        key = (save.article, save.round)
        stored_in[key] = stored_in.get(key, 0) + (save.outcome == "stored")
    # Every save of a round opened the same version: more than one stored is an overwrite, a
    # refusal where nobody stored is a refusal without a conflict.
    counts["overwritten"] = sum(n - 1 for n in stored_in.values() if n > 1)
    counts["refused, no rival"] = sum(
        1 for s in run.saves if s.outcome == "refused" and stored_in[(s.article, s.round)] == 0
    )
    counts["forms with base_version"] = sum(s.form_has_version for s in run.saves)
    for save in run.saves:
        current = Article.objects.filter(pk=save.article, title=save.title).exists()
        kept = current or Article.history.filter(id=save.article, title=save.title).exists()
        if save.outcome == "stored":
            counts["stored" if kept else "lost"] += 1
        elif save.outcome == "refused":
            counts["refused but stored" if kept else "refused"] += 1
        else:
            counts["failed"] += 1
    history_added = sum(
        Article.history.filter(id=pk).count() - n for pk, n in info["history_before"].items()
    )
    counts["history rows added"] = history_added
    return counts


@dataclass
class PageCheck:
    answers: int = 0
    hits: int = 0  # answered from a worker's cache
    stale: int = 0  # without the article's current title
    failed: int = 0  # not 200


def _article_pages(ports: list[int], articles: list[int], times: int) -> PageCheck:
    """Ask for each article's public page ``times`` times (spread over the workers) on every app
    server as an anonymous reader, and compare it with the article as it is in the database."""
    from django.db import connection
    from django.utils.html import escape

    from articles.models import Article

    check = PageCheck()
    for article in Article.objects.filter(pk__in=articles):
        for _, port in itertools.product(range(times), ports):
            status, found, page = _request(port, "GET", article.get_absolute_url())
            check.answers += 1
            check.hits += found.get("x-page-cache") == ["hit"]
            check.failed += status != 200
            check.stale += status == 200 and escape(article.title).encode() not in page
    connection.close()
    return check


# --- report --------------------------------------------------------------------------------------


def _report(
    results: list[LoadResult],
    queries: dict[tuple[str, str], tuple[int, float, float]],
    after: dict[str, float],
    workers: int,
    run: EditorRun,
    counts: dict,
    rounds: int,
    nodes: int = 1,
) -> None:
    base = {label: (name, rate) for label, _, name, rate in PAGES}
    servers = f"{nodes} app servers × " if nodes > 1 else ""
    print(
        f"\n== under load: {servers}gunicorn {workers} sync workers, PostgreSQL 15, DEBUG off, "
        "wrk =="
    )
    if nodes > 1:
        print("(req/s added up over the servers, p50/p99/max the worse server's)")
    print(f"{'page':9} {'asked as':>9} {'conns':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'max ms':>8} {'errors':>7} {'SQL':>4} {'1 req ms':>9} {'of it SQL':>9} "
          f"{'bakerydemo':>17} {'ratio':>7} {'target':>7}")  # fmt: skip
    met_all = True
    for r in results:
        name, rate = base[r.page]
        ratio = r.rps / rate
        if r.mode == RENDERED:
            # What readers wait for right after a change (issue 14): ≥ 5× at 10 connections;
            # at 50 shown only.
            met = r.errors == 0
            if r.connections == LEVELS[0]:
                met = met and ratio >= TARGET_FACTOR
                verdict = "met" if met else "MISSED"
            else:
                verdict = "—" if met else "ERRORS"
        else:
            met = ratio >= TARGET_FACTOR and r.errors == 0
            if r.connections == LEVELS[-1]:
                met = met and r.p99_ms < TARGET_P99_MS
            verdict = "met" if met else "MISSED"
        met_all &= met
        sql, alone, in_sql = queries[r.page, r.mode]
        print(
            f"{r.page:9} {r.mode:>9} {r.connections:>5} "
            f"{r.rps:>8.1f} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.max_ms:>8.0f} {r.errors:>7} "
            f"{sql:>4} {alone:>9.1f} {in_sql:>9.1f} {name + f' {rate}/s':>17} {ratio:>6.1f}× "
            f"{verdict:>7}"
        )
    print(
        f"targets: ≥ {TARGET_FACTOR:.0f}× bakerydemo's rate (rendered: at {LEVELS[0]} "
        f"connections), p99 < {TARGET_P99_MS:.0f} ms at {LEVELS[-1]} connections (kept pages), "
        "zero errors: " + ("met" if met_all else "NOT met")
    )
    _report_one_request(queries, after)
    saves = run.saves
    times = sorted(s.seconds * 1000 for s in saves) or [0.0]
    print(f"\n== {EDITORS} editors × {rounds} rounds, saving at once (4 on article A, 2 on B, "
          "4 alone) ==")  # fmt: skip
    columns = [
        ("saves", len(saves)),
        ("stored", counts["stored"]),
        ("refused", counts["refused"]),
        ("lost", counts["lost"] + counts["overwritten"]),
        ("refused, no rival", counts["refused, no rival"]),
        ("refused but stored", counts["refused but stored"]),
        ("failed", counts["failed"]),
        ("history rows added", counts["history rows added"]),
        ("forms with base_version", counts["forms with base_version"]),
        ("save p50 ms", round(statistics.median(times))),
        ("max ms", round(times[-1])),
    ]
    print(" ".join(f"{name:>{len(name)}}" for name, _ in columns))
    print(" ".join(f"{value:>{len(name)}}" for name, value in columns))
    for save in saves:
        if save.outcome.startswith("failed"):
            print(f"  editor {save.editor} round {save.round}: {save.outcome[:300]}")
    for crash in run.crashes:
        print(f"  CRASH {crash}")
    none_lost = counts["lost"] == 0 and counts["overwritten"] == 0
    ok = (
        none_lost
        and counts["refused, no rival"] == 0
        and counts["refused but stored"] == 0
        and counts["failed"] == 0
        and counts["history rows added"] == counts["stored"]
        and len(saves) == EDITORS * rounds
    )
    print(
        "target: every save stored or refused with a conflict, none lost: "
        + ("met" if ok else "NOT met")
    )

    if counts["refused, no rival"]:
        print(
            f"  {counts['refused, no rival']} saves were refused although nobody else had saved: "
            f"the change page rendered base_version in {counts['forms with base_version']} of "
            f"{len(saves)} forms (a browser posts back only what the page renders)"
        )


def _report_one_request(
    queries: dict[tuple[str, str], tuple[int, float, float]], after: dict[str, float]
) -> None:
    print(
        f"\n== one request of each public page, rendered (no kept page), in-process, median of "
        f"{ONE_REQUEST_RUNS}; and right after an editor's save (every kept page and part from "
        "articles retired) =="
    )
    print(
        f"{'page':13} {'SQL':>4} {'1 req ms':>9} {'of it SQL':>9} {'target':>7} "
        f"{'after a save ms':>16}"
    )
    worst = 0.0
    for (label, mode), (sql, alone, in_sql) in queries.items():
        if mode != RENDERED:
            continue
        worst = max(worst, alone)
        verdict = "met" if alone <= TARGET_ONE_MS else "MISSED"
        print(
            f"{label:13} {sql:>4} {alone:>9.1f} {in_sql:>9.1f} {verdict:>7} "
            f"{after.get(label, float('nan')):>16.1f}"
        )
    print(
        f"target: every page ≤ {TARGET_ONE_MS:.0f} ms: "
        + ("met" if worst <= TARGET_ONE_MS else f"NOT met (slowest {worst:.1f} ms)")
    )


def _report_reading(readers: LoadResult, before: PageCheck, after: PageCheck) -> None:
    r = readers
    print(
        f"\n== reading while they save: wrk on the page of the article most of them edit, "
        f"{r.connections} connections ==\n"
        f"{r.rps:.1f} req/s, p50 {r.p50_ms:.1f} ms, p99 {r.p99_ms:.1f} ms, max {r.max_ms:.0f} ms, "
        f"errors {r.errors}"
    )
    reading_ok = r.errors == 0 and r.p99_ms < TARGET_P99_MS
    print(
        f"target: p99 < {TARGET_P99_MS:.0f} ms, zero errors: "
        + ("met" if reading_ok else "NOT met")
    )
    print(
        f"\n== stale pages: the edited articles' pages, anonymous, spread over the workers ==\n"
        f"before the saves: {before.answers} answers, {before.hits} from a worker's cache\n"
        f"after the saves:  {after.answers} answers, {after.hits} from a worker's cache, "
        f"{after.stale} without the saved title, {after.failed} not 200"
    )
    ok = before.hits > 0 and after.answers > 0 and after.stale == 0 and after.failed == 0
    print("target: no stale page from any worker: " + ("met" if ok else "NOT met"))


def _report_importing(
    alone: EditorRun, importing: Importing, run: EditorRun, counts: dict, after: PageCheck
) -> None:
    """Editors' saves with and without an import running: an editor must not wait for it."""

    def seconds(saves: list[Save]) -> str:
        values = sorted(s.seconds for s in saves)
        if not values:
            return "none"
        p50, top = statistics.median(values), values[-1]
        return f"p50 {p50 * 1000:.0f} ms, max {top * 1000:.0f} ms"

    during = [s for s in run.saves if any(a <= s.ended <= b for a, b in importing.spans)]
    imports = importing.seconds
    print(f"\n== {EDITORS} editors saving while 2024年第01期 is imported again and again ==")
    print(
        f"imports: {len(imports)}, each {statistics.median(imports or [0]):.2f} s (median), "
        f"errors {len(importing.errors)} {importing.errors[:1]}"
    )
    print(f"saves without an import: {seconds(alone.saves)}")
    print(
        f"saves during an import:  {seconds(during)} ({len(during)} of {len(run.saves)} ended "
        "while an import was open)"
    )
    # Had saves waited for the import, one arriving at a random moment would wait half an import
    # on average: the median save during imports would be that much longer than without.
    if not during or not alone.saves or not imports:
        print("no save ended while an import was open: nothing to compare")
        return
    import_seconds = statistics.median(imports)
    extra = statistics.median(s.seconds for s in during) - statistics.median(
        s.seconds for s in alone.saves
    )
    waited = "yes" if extra >= import_seconds / 2 else "no"
    print(
        f"editors waited for the import: {waited} (median save {extra * 1000:+.0f} ms with an "
        f"import running; half an import is {import_seconds * 500:.0f} ms)"
    )
    print(
        f"lost saves {counts['lost']}, overwritten {counts['overwritten']}, "
        f"failed {counts['failed']}; pages after: {after.answers} answers, {after.stale} stale, "
        f"{after.failed} failed"
    )


def _report_nodes(checks: list[Check]) -> None:
    print("\n== two app servers: one database, one bucket, local folders of their own ==")
    for check in checks:
        print(f"  {'met' if check.ok else 'NOT met':7}  {check.what}: {check.detail}")
    ok = bool(checks) and all(check.ok for check in checks)
    print("target: files, sessions and fresh pages shared: " + ("met" if ok else "NOT met"))


# --- 阅读统计: counting on and off ---------------------------------------------------------------

# Every request a new reader (its own forwarded IPv4 address, as on a campus network, believed from
# the proxy on loopback; up to 65,536 per thread and run) with a teacher's browser, so that none is
# a 30-second repeat of another: the counts must then equal the requests. args[1]: the run's
# number, so that no two runs share an address either.
COUNTING_SCRIPT = (
    """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  non2xx = 0
  sent = 0
  run = tonumber(args[1]) or 0
  same = args[2] == "same"
end
function request()
  sent = sent + 1
  local headers = {["User-Agent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) " ..
    "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"}
  if same then
    headers["X-Forwarded-For"] = "10.255.0.1"
  else
    headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", run * 4 + tid,
      math.floor(sent / 256) % 256, sent % 256)
  end
  return wrk.format("GET", nil, headers)
end
"""
    + WRK_REPORT
)
COUNTING_PAGE = "/articles/2024/2/1.1.1/"  # the page most readers open, from the page cache
REPEAT_PAGE = "/issues/2024/2/"  # asked by one reader only: 30-second repeats, one view
COUNTING_ROUNDS = 3
COUNTING_TARGET = 0.10  # within 10 % of the throughput without counting


@dataclass
class CountingRun:
    off_rps: list[float]
    on_rps: list[float]
    on_requests: int  # 2xx answers wrk had from the counting server on COUNTING_PAGE
    connections: int
    runs: int  # wrk runs against the counting server on COUNTING_PAGE
    counted: int  # views of COUNTING_PAGE in the daily rows after the run
    repeat_requests: int
    repeat_counted: int
    events: int


def _wrk_counting(port: int, path: str, seconds: int, script: Path, run: int, same: bool) -> dict:
    connections = LEVELS[-1]
    threads = max(1, min(connections, os.cpu_count() or 1))
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    command += ["-s", str(script), f"http://{HOST}:{port}{path}", "--", str(run)]
    command += ["same"] if same else []
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return _summary(out)


def _counting(env: dict[str, str], workers: int, workdir: Path, seconds: int) -> CountingRun:
    """Cached-page throughput with counting off and on (two gunicorns side by side, asked in
    turns), then the counting server's views against the requests wrk had answered."""
    from django.utils import timezone

    from articles.models import Article
    from readership.models import DailyCount, Event, Kind
    from readership.rollup import rollup

    script = workdir / "counting.lua"
    script.write_text(COUNTING_SCRIPT)
    proxy = {"ZHIJIAO_BEHIND_PROXY": "1", "ZHIJIAO_TRUSTED_PROXIES": "127.0.0.1/32"}
    servers = {}
    for name, counting in (("off", "0"), ("on", "1")):
        log = workdir / f"gunicorn-counting-{name}.log"
        servers[name] = _start_gunicorn(
            {**env, **proxy, "ZHIJIAO_READERSHIP_COUNTING": counting}, workers, log
        )
    rps: dict[str, list[float]] = {"off": [], "on": []}
    on_requests = runs = 0
    try:
        for _, port in servers.values():
            for path in (COUNTING_PAGE, REPEAT_PAGE):
                if _request(port, "GET", path)[0] != 200:  # no user agent: a robot, not counted
                    raise RuntimeError(f"{path} does not answer 200: nothing to count")
        run = 0
        for name, (_, port) in servers.items():  # warm every worker's page cache, untimed
            run += 1
            r = _wrk_counting(port, COUNTING_PAGE, 2, script, run, False)
            if name == "on":
                on_requests += r["requests"] - r["non2xx"]
                runs += 1
        for _ in range(COUNTING_ROUNDS):
            for name, (_, port) in servers.items():
                run += 1
                r = _wrk_counting(port, COUNTING_PAGE, seconds, script, run, False)
                rps[name].append(r["requests"] / (r["duration_us"] / 1e6))
                if name == "on":
                    on_requests += r["requests"] - r["non2xx"]
                    runs += 1
                errors = r["non2xx"] + r["connect"] + r["read"] + r["write"] + r["timeout"]
                print(f"  counting {name:3} {rps[name][-1]:8.1f} req/s  errors {errors}")
        run += 1
        repeat = _wrk_counting(servers["on"][1], REPEAT_PAGE, seconds, script, run, True)
    finally:
        for process, _ in servers.values():
            _stop(process)  # SIGTERM: each worker writes its last batch as it exits
    events = Event.objects.count()
    rollup()
    today = timezone.localdate()
    article = Article.objects.get(issue__year=2024, issue__number=2, number="1.1.1")
    views = DailyCount.objects.filter(day=today).values_list("views", flat=True)
    counted = sum(views.filter(kind=Kind.ARTICLE, object_id=article.pk))
    repeat_counted = sum(views.filter(kind=Kind.ISSUE, object_id=article.issue_id))
    return CountingRun(
        off_rps=rps["off"],
        on_rps=rps["on"],
        on_requests=on_requests,
        connections=LEVELS[-1],
        runs=runs,
        counted=counted,
        repeat_requests=repeat["requests"] - repeat["non2xx"],
        repeat_counted=repeat_counted,
        events=events,
    )


def _report_counting(c: CountingRun) -> None:
    off, on = statistics.median(c.off_rps), statistics.median(c.on_rps)
    change = on / off - 1
    print(
        f"\n== 阅读统计: the cached article page, {c.connections} connections, counting off "
        f"and on in turns ({COUNTING_ROUNDS} runs each), every request a new reader =="
    )
    print(f"off: {' '.join(f'{x:.0f}' for x in c.off_rps)} req/s (median {off:.0f})")
    on_runs = " ".join(f"{x:.0f}" for x in c.on_rps)
    print(f"on:  {on_runs} req/s (median {on:.0f}), {change:+.1%}")
    print(
        f"target: counting on within {COUNTING_TARGET:.0%} of off: "
        + ("met" if change >= -COUNTING_TARGET else "NOT met")
    )
    # A request wrk sent but had no answer to when it stopped may still have been served (and
    # counted): at most one per connection and run.
    slack = c.counted - c.on_requests
    print(
        f"counted views {c.counted} (from {c.events} raw events) for {c.on_requests} answered "
        f"requests in {c.runs} runs: {slack:+d} (in flight when wrk stopped: at most "
        f"{c.connections * c.runs})"
    )
    print(
        f"one reader asking {c.repeat_requests} times within {REPEAT_PAGE} (30-second repeats): "
        f"{c.repeat_counted} view(s), expected 1"
    )
    ok = 0 <= slack <= c.connections * c.runs and c.repeat_counted == 1
    print("target: the counts equal the requests, repeats once: " + ("met" if ok else "NOT met"))


def _child(args) -> int:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    storage_url = os.environ.get("ZHIJIAO_TEST_STORAGE_URL") if args.nodes > 1 else None
    with tempfile.TemporaryDirectory(prefix="zhijiao-load-") as tmp:
        workdir = Path(tmp)
        env = _prepare(workdir, os.environ["DATABASE_URL"], storage_url)
        queries = _queries_per_page()
        after_save = _after_a_change()
        # First, on the database as _prepare left it (the later phases edit and re-import).
        counting = _counting(env, workers, workdir, args.duration) if args.counting else None
        if args.nodes == 1:
            process, port = _start_gunicorn(env, workers, workdir / "gunicorn.log")
            nodes = [Node(0, process, port, workdir, workdir / "gunicorn.log")]
        else:
            nodes = start_nodes(env, args.nodes, workers, workdir, static=workdir / "static")
        ports = [node.port for node in nodes]
        # --editor-workers: the admin served by a gunicorn of its own (the proxy routing the
        # admin's path there), so that editors' requests never hold the readers' workers. With
        # several app servers the editors save through them, so that rival saves cross servers.
        editor_ports, admin_nodes = ports, []
        if args.editor_workers and args.nodes == 1:
            admin_log = workdir / "gunicorn-admin.log"
            admin_process, admin_port = _start_gunicorn(env, args.editor_workers, admin_log)
            admin_nodes.append(Node(len(nodes), admin_process, admin_port, workdir, admin_log))
            editor_ports = [admin_port]
        checks: list[Check] = []
        try:
            where = ", ".join(f"{HOST}:{port}" for port in ports)
            print(
                f"gunicorn on {where}, {workers} workers each; wrk {args.duration} s per page "
                f"and level, {os.cpu_count()} cores shared by server, database and wrk"
            )
            if admin_nodes:
                print(
                    f"editors through gunicorn on {HOST}:{editor_ports[0]}, "
                    f"{args.editor_workers} workers"
                )
            if storage_url:
                print(f"{args.nodes} app servers, one PostgreSQL, one bucket ({storage_url})")
            load = os.getloadavg()[0]
            print(f"load average before the run: {load:.2f} (other work on this machine skews it)")
            script = workdir / "count.lua"
            script.write_text(WRK_SCRIPT)
            if args.nodes > 1:
                checks = _two_nodes(nodes, workers, storage_url)
                _report_nodes(checks)
            cookie = _teacher_cookie()
            results = _load(ports, args.duration, script, cookie)
            articles = _edited_articles()
            # Every worker keeps the pages of the articles about to be edited...
            before = _article_pages(ports, articles, 4 * workers)
            # ...readers keep reading the first one while the editors save...
            with Readers(ports, _url(articles[0]), LEVELS[-1], script) as readers:
                run, info = _editors(editor_ports, articles, args.rounds, args.fill_base_version)
            # ...and every page must show the saved titles.
            after = _article_pages(ports, articles, 4 * workers)
            counts = _check_saves(run, info)
            # The same saves again, while an import of the other issue runs the whole time.
            with Importing() as importing:
                run_importing, info_importing = _editors(
                    editor_ports, articles, args.rounds, args.fill_base_version, phase="·导入中"
                )
            after_import = _article_pages(ports, articles, 4 * workers)
            counts_importing = _check_saves(run_importing, info_importing)
        finally:
            stop_nodes(nodes + admin_nodes)
        _report(results, queries, after_save, workers, run, counts, args.rounds, len(nodes))
        _report_reading(readers.result, before, after)
        _report_importing(run, importing, run_importing, counts_importing, after_import)
        run.crashes += run_importing.crashes
        if args.nodes > 1:
            _report_nodes(checks)
        if counting is not None:
            _report_counting(counting)
        if run.crashes:
            return 1
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per page and level")
    parser.add_argument("--rounds", type=int, default=5, help="saves per editor")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (2×cores+1)")
    parser.add_argument(
        "--editor-workers",
        type=int,
        default=3,
        help="serve the editors from a gunicorn of their own with this many workers, as the "
        "proxy routing the admin's path there does (the readers keep --workers); 0: the "
        "editors on the readers' workers",
    )
    parser.add_argument(
        "--nodes",
        type=int,
        default=1,
        help="app servers (gunicorns on ports and local folders of their own) sharing the "
        "database and, from 2 on, one bucket; the load is spread over them",
    )
    parser.add_argument(
        "--fill-base-version",
        action="store_true",
        help="when the change page lacks base_version, take it from the database at the GET",
    )
    parser.add_argument(
        "--counting",
        choices=("compare", "skip"),
        default="compare",
        help="阅读统计: cached-page throughput with counting off and on, and the counts "
        "against wrk's requests (compare, the default), or skip it",
    )
    args = parser.parse_args()
    args.counting = args.counting == "compare"
    if args.nodes < 1:
        parser.error("--nodes: at least 1")
    wrappers = []
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        wrappers.append(str(ROOT / "scripts" / "with-postgres.sh"))
    if args.nodes > 1 and not os.environ.get("ZHIJIAO_TEST_STORAGE_URL"):
        wrappers.append(str(ROOT / "scripts" / "with-s3.sh"))  # a bucket on loopback (moto)
    if not wrappers:
        return _child(args)
    me = [sys.executable, str(Path(__file__).resolve()), *sys.argv[1:]]
    return subprocess.call([*wrappers, *me])


if __name__ == "__main__":
    sys.exit(main())
