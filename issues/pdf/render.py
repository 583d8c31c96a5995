"""Typst: lay out the document data with template.typ and return the PDF bytes.

One ``typst.Compiler`` per process keeps the CJK fonts loaded and reuses layout work between
builds (a first build takes about a second, later ones a fraction of that); builds in one process
take turns, since the compiler is not meant to be shared between threads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import typst

from zhijiao.fonts import cjk_font_dirs

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


def render_pdf(data: dict[str, Any], *, timestamp: datetime | None = None) -> bytes:
    """Lay out ``data`` (see issues/pdf/data.py); PdfUnavailable says why it could not."""
    dirs = tuple(font_dirs())
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    with _lock:
        compiler = _compilers.get(dirs)
        if compiler is None:
            compiler = _compilers[dirs] = typst.Compiler(
                font_paths=list(dirs), ignore_system_fonts=True
            )
        try:
            pdf, warnings = compiler.compile_with_warnings(
                input=_template(),
                format="pdf",
                sys_inputs={"data": payload},
                # The same data gives the same bytes: the file's dates come from the content.
                timestamp=timestamp.replace(microsecond=0) if timestamp else None,
            )
        except typst.TypstError as exc:
            log.error("Typst could not lay out the PDF: %s\n%s", exc.message, exc.diagnostic)
            raise PdfUnavailable(f"PDF 排版失败：{exc.message}") from exc
    for warning in warnings:
        log.info("Typst: %s", getattr(warning, "message", warning))
    if not isinstance(pdf, bytes):  # one file for PDF output; a list only for page images
        raise PdfUnavailable("PDF 排版失败：Typst 没有返回 PDF。")
    return pdf
