"""Where the real seed files are, for every test, with or without Django (the pure parser tests run
with ``--noconftest``): ``$ZHIJIAO_SEEDS``, else ``../shared/seeds`` beside the project, as in
zhijiao/settings.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ISSUE_02 = "000_0ec56b905e075df0.txt"  # 2024年第02期: markdown-like, with the registry appendix
ISSUE_01 = "001_7b01a3bcb4e051d6.txt"  # 2024年第01期: plain text


def seeds_dir() -> Path:
    folder = Path(
        os.environ.get("ZHIJIAO_SEEDS") or Path(__file__).resolve().parents[2] / "shared" / "seeds"
    )
    if not (folder / ISSUE_02).is_file():
        pytest.fail(
            f"The seed issues are missing: expected {folder / ISSUE_02} (set ZHIJIAO_SEEDS)"
        )
    return folder


def seed_text(name: str) -> str:
    return (seeds_dir() / name).read_text(encoding="utf-8")
