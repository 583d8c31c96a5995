"""The one error the 素材库's readers and parser raise."""

from __future__ import annotations


class SourceError(ValueError):
    """A source document cannot be read; ``str()`` is one line in Chinese saying what is wrong
    and what to do (``PDF 文件已加密：请先取消密码保护后再上传。``)."""
