"""Tables among re-joined paragraphs (sources.tables); no Django needed."""

from __future__ import annotations

import pytest

from sources import tables
from sources.tables import find_tables, fold_spaced_out
from tests.work import chars_through, steps


def test_letter_spacing_folds_but_word_gaps_stay():
    assert fold_spaced_out("建 设 产教 融 合试 点 城市") == "建设产教融合试点城市"
    assert fold_spaced_out("省发展改革委 省教育厅") == "省发展改革委 省教育厅"
    assert fold_spaced_out("高水平学校建设单位 (A 档 )") == "高水平学校建设单位 (A 档 )"


def test_a_spaced_table_with_a_cell_spanning_rows():
    texts = [
        "前面的正文。",
        "序号 名称 省份 所在地",
        "1 甲职业大学 河北省 石家庄市",
        "2 乙职业大学 邢台市",  # 省份 spans rows 1–2 in print
        "3 丙职业大学",
        "山西省",
        "晋中市",
        "后面的正文，不是表格。",
    ]
    (run,) = find_tables(texts)
    assert (run.start, run.end) == (1, 7)
    assert run.rows == (
        ("序号", "名称", "省份", "所在地"),
        ("1", "甲职业大学", "河北省", "石家庄市"),
        ("2", "乙职业大学", "河北省", "邢台市"),
        ("3", "丙职业大学", "山西省", "晋中市"),
    )


def test_tab_rows_with_a_repeated_header_and_a_row_cut_by_a_page():
    texts = [
        "序号\t任务\t单位",
        "1\t任务一\t省教育厅牵头，省卫生",
        "序号\t任务\t单位",
        "\t\t健康委负责",
    ]
    (run,) = find_tables(texts)
    assert run.rows == (("序号", "任务", "单位"), ("1", "任务一", "省教育厅牵头，省卫生健康委负责"))


def test_prose_with_spaces_is_no_table():
    texts = [
        "政策 环境 向好",
        "2023 年 3 月 23 日，教育部召开的新闻发布会上发布一组数字。",
        "正文。",
    ]
    assert find_tables(texts) == []


# --- hostile tables: no crash, linear time (found checking review finding 13's pattern) ---------


def test_a_header_repeated_at_the_very_end_is_no_table_and_no_error():
    """The header's length was taken from its repetition, read past the last paragraph: an
    IndexError (a 500 on upload) for eleven short lines."""
    texts = ["甲乙", "丙丁", "戊己", "庚辛"] * 2 + ["甲乙", "丙丁", "戊己"]
    assert find_tables(texts) == []


@pytest.mark.parametrize(
    "texts",
    [
        # a header over and over: each try read to the end of the text
        lambda n: ["序号 名称 省份 所在地 备注"] * n,
        # short lines whose first three come back again and again
        lambda n: ["甲乙", "丙丁", "戊己", "庚辛"] * (n // 4),
        # a numbered table whose rows each lack a cell: every row compared with all above it
        lambda n: ["序号 名称 省份 所在地 备注"] + [f"{i + 1} 某某学院 广东省 -" for i in range(n)],
        # a Word table's cell cut by page after page
        lambda n: ["a\tb\tc", "1\t2\t3"] + ["\t\t" + "续行内容" * 50] * n,
    ],
    ids=["header", "triples", "spanned", "tab-rows"],
)
def test_tables_are_found_in_linear_time(texts, monkeypatch):
    """Counted: the lines of Python run, and the characters handed to join_lines (a cell joined
    to its next piece at each piece was copied each time). 4× the paragraphs, about 4× the work;
    quadratic, 16×."""
    joined = chars_through(monkeypatch, tables, "join_lines")

    def work(n: int) -> int:
        joined.reset()
        return steps(find_tables, texts(n)) + joined.chars

    small, large = work(500), work(2000)
    assert large / small < 6, f"500 paragraphs {small} steps, 2000 {large}"


def test_a_wide_header_and_a_short_row_do_not_try_every_choice_of_gaps():
    """Where a row has fewer cells than the header, the missing ones were found by trying every
    choice of columns: 30 columns and a row of 15 took hours."""

    def table(width: int) -> list[str]:
        header = " ".join("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥天地玄黄宇宙洪荒"[:width])
        full = " ".join(f"值{i}" for i in range(width))
        half = " ".join(f"值{i}" for i in range(width // 2))
        return ["前言，正文。", header, *([full, half] * 50)]

    (run,) = find_tables(table(30))
    assert len(run.rows) == 101 and all(len(row) == 30 for row in run.rows)
    # Counted in lines of Python run, and stopped well before every choice of gaps is tried.
    narrow = steps(find_tables, table(6))
    wide = steps(find_tables, table(30), limit=100 * narrow)
    assert wide / narrow < 100, f"30 columns cost {wide / narrow:.0f}× what 6 do"


def test_a_short_row_fills_the_columns_the_cells_fit_worst():
    """The best placement, on a tie the leftmost gaps, as trying every choice of gaps found it."""
    import random
    from itertools import combinations

    from sources.tables import _fill_spanned

    def by_trying_all(cells, width, done, numbered):
        endings = [{row[c][-1] for row in done if row[c]} for c in range(width)]
        best = None
        for gaps in combinations(range(1 if numbered else 0, width), width - len(cells)):
            given = iter(cells)
            score = sum(
                bool(cell) and cell[-1] in endings[column]
                for column in range(width)
                if column not in gaps
                for cell in [next(given)]
            )
            if best is None or score > best[0]:
                best = (score, gaps)
        given = iter(cells)
        return [done[-1][c] if c in best[1] else next(given) for c in range(width)]

    rng = random.Random(3)
    for _ in range(3000):
        width = rng.randint(2, 7)
        numbered = rng.random() < 0.5
        done = [[rng.choice(["", "省", "河北省", "市", "区", "甲", "1"]) for _ in range(width)]]
        done += [[rng.choice(["省", "邢台市", "区", "乙", ""]) for _ in range(width)]]
        cells = [
            rng.choice(["", "山西省", "晋中市", "丙区", "2"]) for _ in range(rng.randint(1, width))
        ]
        if numbered and not cells:
            continue
        endings = [{row[c][-1] for row in done if row[c]} for c in range(width)]
        assert _fill_spanned(cells, width, endings, done[-1], numbered) == by_trying_all(
            cells, width, done, numbered
        )
