"""The three source documents among the seeds (tests/seeds.py names the two issues)."""

from __future__ import annotations

# 广东's implementation plan: outline 一、…六、（一）…（十九）, a task table
POLICY = "002_67eb8ad90d2900c2.txt"
NEWSLETTER = "003_81997b96fc6b3f9d.txt"  # 编者按, 4 columns, 9 articles, lines cut at 26 characters
UNIVERSITY = (
    "004_ca6ee7cbba4e5f1c.txt"  # 「…」 columns, 20 articles, tables, URL dumps, page numbers
)
