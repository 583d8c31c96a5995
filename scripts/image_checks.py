"""The HTTP half of scripts/image-test.sh: ask the image's gunicorn what a reader's browser and the
reverse proxy would ask, and print one "ok - …" or "FAIL - …" line per check.

    python3 scripts/image_checks.py http://127.0.0.1:PORT WORKDIR

The site runs as in production behind a TLS-terminating proxy (SECURE_SSL_REDIRECT=1,
ZHIJIAO_BEHIND_PROXY=1): requests say X-Forwarded-Proto: https, as the proxy's would, and come from
loopback, a trusted proxy address. Standard library only, plus pdffonts (poppler-utils) for the PDF.
"""

from __future__ import annotations

import csv
import gzip
import http.client
import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

HOST = "localhost"
PROXIED = {"X-Forwarded-Proto": "https"}
results: list[bool] = []


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: bytes, seconds: float):
        self.status, self.headers, self.body, self.seconds = status, headers, body, seconds

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def get(base: str, path: str, headers: dict[str, str] | None = None, timeout=120) -> Response:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    start = time.monotonic()
    conn.request("GET", path, headers={"Host": HOST, **(headers or {})})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return Response(response.status, response.headers, body, time.monotonic() - start)


def check(what: str, ok: bool, detail: str = "") -> bool:
    results.append(ok)
    print(f"{'ok  ' if ok else 'FAIL'} - {what}")
    if detail:
        print(f"    {detail}")
    return ok


def links(html: str, pattern: str) -> list[str]:
    return list(dict.fromkeys(re.findall(rf'href="({pattern})"', html)))


def main(base: str, workdir: Path) -> int:
    r = get(base, "/healthz")
    check(
        "/healthz: 200 {status: ok} over plain HTTP (exempt from the HTTPS redirect)",
        r.status == 200 and json.loads(r.body or b"{}").get("status") == "ok",
        f"HTTP {r.status} {r.text()[:120]}",
    )

    r = get(base, "/")
    check(
        "/ without the proxy's X-Forwarded-Proto: redirected to HTTPS (SECURE_SSL_REDIRECT)",
        r.status == 301 and r.headers.get("Location", "").startswith("https://"),
        f"HTTP {r.status} → {r.headers.get('Location')}",
    )

    home = get(base, "/", PROXIED)
    html = home.text()
    check(
        "home page: 200, 《职教通讯》, HSTS, no debug output",
        home.status == 200
        and "职教通讯" in html
        and "max-age=" in home.headers.get("Strict-Transport-Security", "")
        and "DEBUG = True" not in html,
        f"HTTP {home.status}, {len(home.body)} bytes, {home.seconds * 1000:.0f} ms, "
        f"HSTS {home.headers.get('Strict-Transport-Security')!r}",
    )

    r = get(base, "/no-such-page/", PROXIED)
    check(
        "unknown page: 404 without Django's debug page",
        r.status == 404 and "Technical" not in r.text() and "URLconf" not in r.text(),
        f"HTTP {r.status}",
    )

    issues = links(html, r"/issues/\d{4}/\d+/")
    issue = issues[0] if issues else "/issues/2024/2/"
    r = get(base, issue, PROXIED)
    check(f"issue page {issue}: 200", r.status == 200, f"HTTP {r.status}, {len(r.body)} bytes")
    articles = links(r.text(), r"/articles/\d{4}/\d+/[\d.]+/")
    if check("the issue lists its articles", len(articles) >= 10, f"{len(articles)} article links"):
        r = get(base, articles[0], PROXIED)
        title = re.search(r"<h1[^>]*>(.*?)</h1>", r.text(), re.S)
        heading = re.sub(r"<[^>]+>|\s+", " ", title.group(1)).strip() if title else ""
        check(
            f"article {articles[0]}: 200 with its heading",
            r.status == 200 and bool(heading),
            f"HTTP {r.status}: {heading[:60]}",
        )

    r = get(base, "/communities/communities.csv", PROXIED)
    # A first row says the filter (a comment), the column headings follow.
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig", "replace"))))[1:]
    check(
        "registry CSV /communities/communities.csv: 200, text/csv, 500 communities",
        r.status == 200
        and r.headers.get("Content-Type", "").startswith("text/csv")
        and len(rows) - 1 == 500,
        f"HTTP {r.status}, {r.headers.get('Content-Type')}, {len(rows) - 1} rows; "
        f"header {rows[0][:4] if rows else None}",
    )

    pdf_path = issue + "pdf/"
    r = get(base, pdf_path, PROXIED)
    pdf = workdir / "issue.pdf"
    pdf.write_bytes(r.body)
    is_pdf = r.status == 200 and r.body.startswith(b"%PDF")
    check(
        f"issue PDF {pdf_path}: 200, application/pdf",
        is_pdf and r.headers.get("Content-Type", "").startswith("application/pdf"),
        f"HTTP {r.status}, {r.headers.get('Content-Type')}, {len(r.body) // 1024} KiB, "
        f"{r.seconds * 1000:.0f} ms",
    )
    if is_pdf:
        out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        fonts = [line.split() for line in out.splitlines()[2:] if line.strip()]
        # Columns: name type… encoding emb sub uni object ID; emb is the 5th from the end.
        embedded = [f for f in fonts if len(f) >= 7 and f[-5] == "yes"]
        cjk = sorted({f[0].split("+", 1)[-1] for f in embedded if "CJK" in f[0]})
        check(
            "the PDF's fonts are all embedded, Noto CJK among them (pdffonts)",
            bool(fonts) and len(embedded) == len(fonts) and bool(cjk),
            f"{len(embedded)}/{len(fonts)} embedded; CJK: {', '.join(cjk)}",
        )

    css = re.findall(r'href="(/static/[^"]+\.css)"', html)
    hashed = [c for c in css if re.search(r"\.[0-9a-f]{12}\.css$", c)]
    check(
        "the home page links its CSS by hashed names (manifest storage)",
        bool(css) and hashed == css,
        ", ".join(css[:3]),
    )
    if hashed:
        r = get(base, hashed[0], {**PROXIED, "Accept-Encoding": "gzip"})
        body = gzip.decompress(r.body) if r.headers.get("Content-Encoding") == "gzip" else r.body
        check(
            f"{hashed[0]}: served compressed and cached for good (whitenoise)",
            r.status == 200
            and r.headers.get("Content-Encoding") == "gzip"
            and "immutable" in r.headers.get("Cache-Control", "")
            and len(body) > len(r.body),
            f"HTTP {r.status}, {r.headers.get('Content-Encoding')}, {len(r.body)} of {len(body)} "
            f"bytes, Cache-Control {r.headers.get('Cache-Control')!r}",
        )
    r = get(base, "/admin/login/", PROXIED)
    admin_css = re.findall(r'href="(/static/admin/[^"]+\.css)"', r.text())
    r2 = get(base, admin_css[0], PROXIED) if admin_css else None
    check(
        "admin login page and its hashed CSS: 200",
        r.status == 200 and r2 is not None and r2.status == 200,
        f"HTTP {r.status}; {admin_css[0] if admin_css else 'no CSS link'}: "
        f"{r2.status if r2 else '-'}",
    )
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
