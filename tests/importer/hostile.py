"""Hostile issue files for the trust-boundary tests, built small and fast in memory.

A zip is written by hand (:func:`raw_zip`) so that a test controls every header field: a size
that lies, a member count, a compression method. Large members are never materialised: a run
of spaces is deflated once per MiB and that block repeated (:func:`deflated`), so a 1 GiB
``word/document.xml`` costs about 1 MB and a few milliseconds.
"""

from __future__ import annotations

import functools
import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.sax.saxutils import escape

MiB = 1024 * 1024
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

#: A whole issue in a few lines: cover, 目录 with an appendix, 说明 and staff, two articles,
#: a registry of two communities. Hostile tests replace one line of it.
SMALL = """广州市白云工商技师学院
2024年第03期
# 职教通讯
Information on Technical Vocational Education
主办：广州市白云工商技师学院—职教所

# 目录

1 职教动态
1.1 重要通知 .....\t1
1.1.1 教育部：关于职业教育的通知 .....\t1
1.1.2 职业教育的新进展 .....\t2
附录：全国（及省级）行业产教融合共同体成立汇总表（1-2）\t3

《职教通讯》说明

本刊为内部学习资料。

总 编：赵顺灵
主 编：刘 乐
责 编：邱玉

# 1 职教动态

## 1.1 重要通知

### 1.1.1 教育部：关于职业教育的通知

第一篇文章的正文。

资料来源：教育部官网

### 1.1.2 职业教育的新进展

第二篇文章的正文。

## 附录：全国（及省级）行业产教融合共同体成立汇总表（1-2）

02
全国职业教育行业产教融合共同体
牵头单位：北京大学、清华大学
成立时间：2024年9月

01
北京行业产教融合共同体
牵头单位：北京大学和北京师范大学
成立时间：2024年8月

资料来源：中教全媒体整理
"""


def small_with(old: str, new: str) -> str:
    """:data:`SMALL` with one piece replaced (which must be there)."""
    assert old in SMALL, old
    return SMALL.replace(old, new, 1)


def line_of(text: str, piece: str) -> int:
    """The 1-based line on which ``piece`` starts."""
    return text[: text.index(piece)].count("\n") + 1


# --- zip archives, field by field ---------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    name: str
    raw: bytes  # the member's bytes as stored (compressed for deflate)
    crc: int
    size: int  # the uncompressed size the headers declare
    method: int = zipfile.ZIP_DEFLATED
    flags: int = 0


def member(name: str, data: bytes, *, method: int = zipfile.ZIP_DEFLATED) -> Member:
    if method == zipfile.ZIP_STORED:
        raw = data
    elif method == zipfile.ZIP_DEFLATED:
        packer = zlib.compressobj(6, zlib.DEFLATED, -15)
        raw = packer.compress(data) + packer.flush()
    elif method == zipfile.ZIP_BZIP2:
        import bz2

        raw = bz2.compress(data)
    else:
        raise ValueError(method)
    return Member(name, raw, zlib.crc32(data), len(data), method)


def deflated(*pieces: tuple[bytes, int]) -> bytes:
    """A raw deflate stream of each ``(data, times)`` piece repeated, without building it.

    Each piece is deflated once with a full flush (no back-references across it), so its bytes
    can be repeated and streams concatenated; the last block closes the stream.
    """
    out = []
    for data, times in pieces:
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        out.append((packer.compress(data) + packer.flush(zlib.Z_FULL_FLUSH)) * times)
    out.append(zlib.compressobj(9, zlib.DEFLATED, -15).flush())
    return b"".join(out)


def spaces_member(
    name: str, size: int, *, head: bytes = b"", tail: bytes = b"", declared: int | None = None
) -> Member:
    """``head`` + ``size`` spaces (whole MiB) + ``tail``, deflated; the CRC is not computed
    (the archive must be refused before anything checks it)."""
    assert size % MiB == 0
    raw = deflated((head, 1), (b" " * MiB, size // MiB), (tail, 1))
    total = len(head) + size + len(tail)
    return Member(name, raw, 0, total if declared is None else declared)


def raw_zip(members: list[Member]) -> bytes:
    """A zip archive of ``members`` exactly as given: local headers, central directory, end."""
    body = io.BytesIO()
    central = io.BytesIO()
    for m in members:
        name = m.name.encode()
        offset = body.tell()
        sizes = (m.crc, len(m.raw), m.size, len(name), 0)
        body.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, m.flags, m.method, 0, 0x21, *sizes))
        body.write(name + m.raw)
        fields = (20, 20, m.flags, m.method, 0, 0x21, *sizes, 0, 0, 0, 0, offset)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", *fields) + name)
    directory = central.getvalue()
    count = len(members)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), body.tell(), 0)
    return body.getvalue() + directory + end


# --- .docx ---------------------------------------------------------------------------------------


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'


def document_xml(body: str, *, doctype: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'{doctype}<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    ).encode()


@functools.cache
def _template() -> tuple[tuple[str, bytes], ...]:
    """The members of python-docx's empty document (styles, relationships, content types)."""
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return tuple((info.filename, archive.read(info)) for info in archive.infolist())


def docx_members(
    document: bytes | Member, *, without: tuple[str, ...] = (), extra: tuple[Member, ...] = ()
) -> list[Member]:
    doc = document if isinstance(document, Member) else member("word/document.xml", document)
    members = [
        doc if name == "word/document.xml" else member(name, data)
        for name, data in _template()
        if name not in without
    ]
    return members + list(extra)


def docx_file(
    document: bytes | Member, *, without: tuple[str, ...] = (), extra: tuple[Member, ...] = ()
) -> bytes:
    """A .docx: python-docx's own template with ``word/document.xml`` replaced."""
    return raw_zip(docx_members(document, without=without, extra=extra))


def issue_docx(text: str = SMALL) -> bytes:
    """An issue as a Word file, one paragraph a line, as the .docx tests of the importer do."""
    return docx_file(document_xml("".join(paragraph(line) for line in text.splitlines())))
