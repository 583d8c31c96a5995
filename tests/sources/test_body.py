"""A candidate's body (sources.body): lists and headings on several lines put together once, in
linear time (found checking review finding 13's pattern); no Django needed."""

from __future__ import annotations

import pytest

from sources import body
from sources.blocks import Block
from sources.body import Unit, body_blocks
from tests.work import chars_through, steps


def _units(*texts: str) -> list[Unit]:
    return [Unit("para", text=text) for text in texts]


def test_bullets_in_a_row_are_one_list():
    blocks = body_blocks(_units("正文，一段话。", "- 甲", "- 乙", "* 丙", "正文。", "- 丁"))
    assert [b.kind for b in blocks] == ["paragraph", "list", "paragraph", "list"]
    assert blocks[1].items == ("甲", "乙", "丙") and blocks[3].items == ("丁",)


def test_a_heading_set_on_several_lines_is_one_heading():
    blocks = body_blocks(_units("甲乙丙", "丁戊己", "庚辛壬", "正文，一段话。"))
    assert blocks[0] == Block("heading", text="甲乙丙 丁戊己 庚辛壬", level=3)
    # "第一 加强领导" reads as numbered (第一 and a space): nothing more joins it
    blocks = body_blocks(_units("第一", "加强领导", "组织保障", "甲乙", "正文，一段话。"))
    assert [b.text for b in blocks[:2]] == ["第一 加强领导", "组织保障 甲乙"]
    # the same heading again (announced, then set as the heading) is dropped
    blocks = body_blocks(_units("甲乙", "丙丁", "甲乙 丙丁", "正文，一段话。"))
    assert [b.text for b in blocks] == ["甲乙 丙丁", "正文，一段话。"]
    blocks = body_blocks(_units("附件", "甲乙丙丁", "附件：甲乙丙丁", "正文，一段话。"))
    assert [b.text for b in blocks] == ["附件：甲乙丙丁", "正文，一段话。"]


def test_signature_lines_above_dates_stay_paragraphs():
    blocks = body_blocks(_units("正文，一段话。", "广东省教育厅", "广东省财政厅", "2024年6月1日"))
    assert [b.kind for b in blocks] == ["paragraph"] * 4


@pytest.mark.parametrize(
    "texts",
    [
        lambda n: [f"- 项目{i}" for i in range(n)],
        lambda n: [
            f"{'职业教育产教融合共同体建设推进会议' * 2}{'甲乙丙丁'[i % 4]}" for i in range(n)
        ],
        lambda n: ["广东省教育厅"] * n + ["2024年6月1日"] * n,
    ],
    ids=["list", "heading-lines", "signatures"],
)
def test_a_long_run_is_put_together_in_linear_time(texts, monkeypatch):
    """Counted: the lines of Python run, and the characters handed to Block (a list or heading
    rebuilt at each line held all its lines again). 4× the paragraphs, about 4× the work;
    quadratic, 16×."""
    built = chars_through(monkeypatch, body, "Block")

    def work(n: int) -> int:
        built.reset()
        return steps(body_blocks, _units(*texts(n))) + built.chars

    ratio = work(4000) / work(1000)
    assert ratio < 6, f"4× the paragraphs cost {ratio:.1f}× the work"
