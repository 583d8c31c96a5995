"""Read a Word (.docx) issue of the same shape as the text files: one paragraph a line."""

from __future__ import annotations

import io
import zipfile

from issues.importer.parse import ImportFormatError


def docx_text(data: bytes) -> str:
    """Paragraph texts in document order, blank-line separated as in the text conversions.

    Tables (the registry may be typeset as one) contribute each cell as a paragraph, row by row.
    """
    import docx  # python-docx; imported here so text imports never pay for it
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ImportFormatError(
            f"无法读取 Word 文件（{type(exc).__name__}）：文件不是有效的 .docx。"
        ) from None
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = _local(child.tag)
        if tag == "p":
            lines.append(_text(child))
        elif tag == "tbl":
            lines.extend(_text(cell) for cell in child.iter() if _local(cell.tag) == "tc")
    return "\n\n".join(lines)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


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
