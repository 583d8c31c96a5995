"""Turn an uploaded or named issue file (.txt, .md, .docx) into text for the parser."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from importer.parse import ImportFormatError, decode_issue_bytes

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ""}
DOCX_SUFFIX = ".docx"
ISSUE_ID = re.compile(r"\d{4}\s*年\s*第\s*\d+\s*期")
# One line: ``[^\S\n]`` is whitespace but the line end (``[#\s]*`` ran over every blank line
# after each line start, quadratic in a run of them, and let "目\n录" count).
TOC_HEADING = re.compile(r"^(?:#|[^\S\n])*目[^\S\n]*录[^\S\n]*$", re.M)


def looks_like_issue(text: str) -> bool:
    """Whether a text is a 职教通讯 issue rather than another document: an issue id and a 目录."""
    head = text[:5000]
    return bool(ISSUE_ID.search(head)) and bool(TOC_HEADING.search(head))


def issue_text(data: bytes, *, filename: str) -> str:
    """The text of an issue file, by its name's suffix; raises ImportFormatError when unreadable."""
    suffix = Path(filename).suffix.lower()
    if suffix == DOCX_SUFFIX:
        from importer.docx import docx_text

        return docx_text(data)
    if suffix in TEXT_SUFFIXES:
        if data[:4] == b"PK\x03\x04" and zipfile.is_zipfile(io.BytesIO(data)):
            raise ImportFormatError("文件看起来是 Word/压缩文件而不是文本：请以 .docx 上传。")
        return decode_issue_bytes(data)
    raise ImportFormatError(f"不支持的文件类型 {suffix}：请上传 .txt、.md 或 .docx 文件。")
