"""Typst: lay out the document data with template.typ and return the PDF bytes.

One ``typst.Compiler`` per process keeps the CJK fonts loaded and reuses layout work between
builds (a first build takes about a second, later ones a fraction of that); builds in one process
take turns, since the compiler is not meant to be shared between threads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import tempfile
import threading
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import typst

from printing.fonts import cjk_font_dirs

log = logging.getLogger(__name__)

TEMPLATE = Path(__file__).with_name("template.typ")
FONT_HINT = (
    "没有找到中文字体（Noto CJK），无法生成 PDF。请安装 Debian 软件包 fonts-noto-cjk"
    "（apt-get install fonts-noto-cjk），或用环境变量 ZHIJIAO_FONT_DIRS 指明字体所在的文件夹。"
)

_lock = threading.Lock()
_compilers: dict[tuple[str, ...], typst.Compiler] = {}


class PdfUnavailable(Exception):
    """The PDF cannot be made here (no CJK font, or the layout failed); the message says why."""


# Emoji in an article print in colour with Debian's fonts-noto-color-emoji; without it they print
# as an empty box and everything else is unaffected.
EMOJI_FONT_DIRS = ("/usr/share/fonts/truetype/noto",)


def emoji_font_dirs() -> list[str]:
    return [d for d in EMOJI_FONT_DIRS if any(Path(d).glob("NotoColorEmoji*"))]


def font_dirs() -> list[str]:
    """The CJK font folders (required: PdfUnavailable says what to install) and emoji ones."""
    dirs = cjk_font_dirs()
    if not dirs:
        raise PdfUnavailable(FONT_HINT)
    return dirs + [d for d in emoji_font_dirs() if d not in dirs]


@cache
def _template() -> bytes:
    return TEMPLATE.read_bytes()


def engine_version() -> str:
    """What besides the data decides the PDF's look: the template, Typst and the font folders.

    Part of the stored file's fingerprint, so a new template or engine gives new files.
    """
    digest = hashlib.sha256(_template()).hexdigest()[:16]
    fonts = ",".join(cjk_font_dirs() + emoji_font_dirs())
    return f"typst-{typst.__version__}:{digest}:{fonts}"


def _compiler(dirs: tuple[str, ...]) -> typst.Compiler:
    compiler = _compilers.get(dirs)
    if compiler is None:
        compiler = _compilers[dirs] = typst.Compiler(
            font_paths=list(dirs), ignore_system_fonts=True
        )
    return compiler


class Rendered(bytes):
    """The PDF's bytes, and the page number (as printed in its footer) of each labelled heading:
    ``{"a-12": 5}`` for the article with pk 12."""

    pages: dict[str, int]


def _compile(
    dirs: tuple[str, ...], payload: str, timestamp: datetime | None, files: dict[str, bytes]
):
    """Compile in a folder of its own: the template, and the images it reads by file name.

    Typst reads images from files only, and its Python query needs the main file on disk too.
    """
    compiler = _compiler(dirs)
    with tempfile.TemporaryDirectory(prefix="zhijiao-pdf-") as root:
        main = Path(root, "main.typ")
        main.write_bytes(_template())
        for key, content in files.items():
            Path(root, key).write_bytes(content)  # keys are printing.images' own file names
        pdf, warnings = compiler.compile_with_warnings(
            input=str(main),
            root=root,
            format="pdf",
            sys_inputs={"data": payload},
            # The same data gives the same bytes: the file's dates come from the content.
            timestamp=timestamp.replace(microsecond=0) if timestamp else None,
        )
        pages = _heading_pages(compiler, root)
    return pdf, warnings, pages


def _heading_pages(compiler: typst.Compiler, root: str) -> dict[str, int]:
    try:  # laid out already: the query costs next to nothing
        found = json.loads(compiler.query("<zj-page>", field="value", root=root))
    except (typst.TypstError, RuntimeError, ValueError) as exc:
        log.warning("PDF page numbers not read: %s", exc)
        return {}
    return {str(m["id"]): int(m["page"]) for m in found if isinstance(m, dict)}


def _dumps(data: dict[str, Any]) -> str:
    # The images' bytes go to files; the data names them (each key holds the content's hash).
    return json.dumps(
        {**data, "images": sorted(data.get("images", {}))},
        ensure_ascii=False,
        separators=(",", ":"),
    )


# Typst is Rust: a bug of its own (a panic) reaches Python as pyo3's PanicException, which derives
# from BaseException, so neither ``except Exception`` nor ``except typst.TypstError`` sees it. It is
# caught here, the one place Typst is called, and becomes PdfUnavailable like a layout error; only
# the interpreter's own stops (Ctrl-C, sys.exit) pass through.
_STOPS = (KeyboardInterrupt, SystemExit)
# Documents that made Typst panic (hash of the data → message): asked for again, they answer at
# once instead of failing again after a full layout and a search for the article. Bounded.
_panicked: dict[str, str] = {}
_MAX_PANICKED = 64
_IMAGE_KEY = re.compile(r'"key":"(img-[0-9a-f]+\.(?:png|jpg))"')


def _culprits(data: dict[str, Any], dirs: tuple[str, ...], timestamp: datetime | None) -> list[str]:
    """The numbers of the articles that make Typst panic, each laid out alone (a failed build is
    rare; this is what lets an editor find the text to change)."""
    articles = [item for item in data["items"] if item["k"] == "article"]
    if len(articles) == 1:
        return [articles[0]["number"]]
    found = []
    for item in articles:
        used = set(_IMAGE_KEY.findall(_dumps(item)))
        images = {k: v for k, v in data.get("images", {}).items() if k in used}
        alone = {**data, "mode": "article", "items": [item], "appendix": None, "images": images}
        try:
            _compile(dirs, _dumps(alone), timestamp, images)
        except _STOPS:
            raise
        except typst.TypstError:
            continue
        except BaseException:  # the panic, see _STOPS
            _compilers.pop(dirs, None)  # a fresh compiler after a panic, to be safe
            found.append(item["number"])
    return found


def _panic(
    data: dict[str, Any], dirs: tuple[str, ...], timestamp: datetime | None, exc: BaseException
) -> PdfUnavailable:
    _compilers.pop(dirs, None)
    label = data.get("issue", {}).get("label", "")
    numbers = _culprits(data, dirs, timestamp)
    where = "、".join(numbers)
    log.error(
        "Typst panicked laying out the PDF of %s; article(s): %s: %s",
        label,
        where or "none alone (the front matter or the appendix)",
        exc,
    )
    part = f"文章 {where}" if where else "封面、说明或附录"
    return PdfUnavailable(
        f"PDF 排版失败：排版程序无法处理{label}{part}中的文字，请编辑修改后再试。"
    )


def render_pdf(data: dict[str, Any], *, timestamp: datetime | None = None) -> Rendered:
    """Lay out ``data`` (see printing/data.py); PdfUnavailable says why it could not."""
    dirs = tuple(font_dirs())
    payload = _dumps(data)
    files = data.get("images", {})
    key = hashlib.sha256(f"{dirs}{timestamp}{payload}".encode()).hexdigest()
    with _lock:
        if key in _panicked:
            log.warning("PDF not built again (Typst panicked on the same data): %s", _panicked[key])
            raise PdfUnavailable(_panicked[key])
        try:
            pdf, warnings, pages = _compile(dirs, payload, timestamp, files)
        except typst.TypstError as exc:
            log.error("Typst could not lay out the PDF: %s\n%s", exc.message, exc.diagnostic)
            raise PdfUnavailable(f"PDF 排版失败：{exc.message}") from exc
        except _STOPS:
            raise
        except BaseException as exc:  # a panic in Typst, see _STOPS
            unavailable = _panic(data, dirs, timestamp, exc)
            if len(_panicked) >= _MAX_PANICKED:
                _panicked.pop(next(iter(_panicked)))
            _panicked[key] = str(unavailable)
            raise unavailable from exc
    for warning in warnings:
        log.info("Typst: %s", getattr(warning, "message", warning))
    if not isinstance(pdf, bytes):  # one file for PDF output; a list only for page images
        raise PdfUnavailable("PDF 排版失败：Typst 没有返回 PDF。")
    rendered = Rendered(pdf)
    rendered.pages = pages
    return rendered
