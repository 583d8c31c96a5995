"""Tables among re-joined paragraphs (sources.tables); no Django needed."""

from __future__ import annotations

from sources.tables import find_tables, fold_spaced_out


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
