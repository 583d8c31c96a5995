"""Where the real seed files are, for every test, with or without Django (the pure parser tests run
with ``--noconftest``): ``$ZHIJIAO_SEEDS``, else ``../shared/seeds`` beside the project, as in
zhijiao/settings.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ISSUE_02 = "000_0ec56b905e075df0.txt"  # 2024年第02期: markdown-like, with the registry appendix
ISSUE_01 = "001_7b01a3bcb4e051d6.txt"  # 2024年第01期: plain text

# What tests name in the seeds, named once here.
# 2024年第02期's 2.1.1 产教融合：教育适配产业发展，产业助推教育提升 (source 产教融合), which names
# SEED_COMMUNITY in its body.
SEED_ARTICLE = "2.1.1"
SEED_ARTICLE_SOURCE = "产教融合"
# Number 81 of the 500 in 2024年第02期's registry appendix.
SEED_COMMUNITY = 81
SEED_COMMUNITY_NAME = "国家轨道交通装备行业产教融合共同体"


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
