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
        raise ImportFormatError(f"无法读取 Word 文件（{type(exc).__name__}）：文件不是有效的 .docx。")
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append("".join(t.text or "" for t in child.iter() if t.tag.endswith("}t")))
        elif tag == "tbl":
            for cell in child.iter():
                if cell.tag.endswith("}tc"):
                    lines.append("".join(t.text or "" for t in cell.iter() if t.tag.endswith("}t")))
    return "\n\n".join(lines)
