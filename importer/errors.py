"""The one error the issue parser raises (re-exported by :mod:`importer.parse`)."""

from __future__ import annotations

#: Characters that end a line somewhere (str.splitlines, terminals, editors): a message quotes
#: the file, and the file is not trusted to keep it on one line.
LINE_BREAKS = dict.fromkeys(map(ord, "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"), " ")


class ImportFormatError(ValueError):
    """The file cannot be read as an issue; ``str()`` is one line, with the file's line if known.

    ``ImportFormatError("目录中的 1.2.3 在正文中找不到。", 34)`` reads
    ``第 34 行：目录中的 1.2.3 在正文中找不到。``.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        self.message = message.translate(LINE_BREAKS)
        self.line = line
        super().__init__(f"第 {line} 行：{self.message}" if line is not None else self.message)
