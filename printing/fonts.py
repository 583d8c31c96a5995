"""Where the CJK fonts are: Debian's fonts-noto-cjk, or a folder named by ZHIJIAO_FONT_DIRS."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto")


def cjk_font_dirs() -> list[str]:
    """Folders that hold a Noto CJK font, in order of preference; empty when none is installed."""
    configured = os.environ.get("ZHIJIAO_FONT_DIRS")
    candidates = configured.split(os.pathsep) if configured else DEFAULT_FONT_DIRS
    return [
        d
        for d in candidates
        if any(Path(d).glob("NotoSerifCJK*")) or any(Path(d).glob("NotoSansCJK*"))
    ]
