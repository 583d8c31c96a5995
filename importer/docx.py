"""Read a Word (.docx) issue of the same shape as the text files: one paragraph a line.

The file is untrusted. The archive goes through :mod:`importer.archive` (sizes, ratio and
member count checked before anything is decompressed, every member read through a bounded
stream); python-docx then reads a stored (uncompressed) copy of the members, so it never
decompresses anything itself. XML parts with a DTD are refused (Word writes none: a DTD is
there for entity expansion, the billion laughs, or an external entity, a file read), and
whatever python-docx or lxml raise on a malformed part becomes a one-line error.
"""

from __future__ import annotations

import io
import zipfile

from importer.archive import open_safe_zip, read_members, shown_name
from importer.parse import ImportFormatError

_NOT_DOCX = "无法读取 Word 文件（{}）：文件不是有效的 .docx；请在 Word 中另存为 .docx 后再试。"
# "<!DOCTYPE" in the encodings an XML parser detects by itself.
_DTD_MARKS = tuple(
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


def docx_text(data: bytes) -> str:
    """Paragraph texts in document order, blank-line separated as in the text conversions.

    Tables (the registry may be typeset as one) contribute each cell as a paragraph, row by row.
    Raises :class:`ImportFormatError` (one line) for anything that is not a sound .docx.
    """
    with open_safe_zip(data) as archive:
        members = read_members(archive)
    for name, blob in members.items():
        if name.lower().endswith((".xml", ".rels")) and any(m in blob for m in _DTD_MARKS):
            raise ImportFormatError(
                f"Word 文件中的 {shown_name(name)} 含有 DTD（实体声明），Word 不会写入这样的"
                "内容，可能是恶意构造的文件；请在 Word 中另存为 .docx 后再试。"
            )
    return "\n\n".join(body_lines(_body(_stored(members))))


def _stored(members: dict[str, bytes]) -> io.BytesIO:
    """The members again as a zip without compression, for python-docx to read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, blob in members.items():
            archive.writestr(name, blob)
    buffer.seek(0)
    return buffer


def _body(package: io.BytesIO):
    import docx  # python-docx; imported here so text imports never pay for it
    from docx.exceptions import PythonDocxError
    from docx.opc.exceptions import OpcError
    from lxml import etree

    try:
        body = docx.Document(package).element.body
    except etree.XMLSyntaxError as exc:
        # e.g. "Maximum entity amplification factor exceeded", a tag left open
        line = f"第 {exc.lineno} 行" if getattr(exc, "lineno", None) else "XML"
        raise ImportFormatError(_NOT_DOCX.format(f"其中的 XML 有误，{line}")) from None
    except (
        OpcError,
        PythonDocxError,
        etree.LxmlError,
        zipfile.BadZipFile,
        KeyError,  # a part the relationships name is missing
        ValueError,  # not a Word document (another content type), a bad value
        # python-docx assumes well-formed parts; a hostile one can break it anywhere
        AttributeError,
        TypeError,
        IndexError,
    ) as exc:
        raise ImportFormatError(_NOT_DOCX.format(type(exc).__name__)) from None
    if body is None:
        raise ImportFormatError(_NOT_DOCX.format("文档中没有正文"))
    return body


def body_lines(body) -> list[str]:
    """The paragraphs (and table cells) of a ``w:body`` element, in order.

    Only elements count: comments, processing instructions and entity references in a hostile
    file have a non-string ``tag`` and are skipped.
    """
    lines: list[str] = []
    for child in body.iterchildren():
        tag = _local(child.tag)
        if tag == "p":
            lines.append(_text(child))
        elif tag == "tbl":
            lines.extend(_text(cell) for cell in child.iter() if _local(cell.tag) == "tc")
    return lines


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# Tabs matter: the 目录 separates a title from its page number with one.
_SPECIAL = {"tab": "\t", "br": "\n", "cr": "\n"}


def _text(element) -> str:
    parts = []
    for node in element.iter():
        tag = _local(node.tag)
        if tag == "t":
            parts.append(node.text or "")
        elif tag in _SPECIAL:
            parts.append(_SPECIAL[tag])
    return "".join(parts)
