"""Re-joining broken lines (sources.lines), the one implementation the parser and the editor's
clean paste share; no Django needed."""

from __future__ import annotations

import functools
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sources import lines as lines_module
from sources.lines import (
    _ends_sentence,
    display_width,
    is_page_number,
    join_all,
    join_broken_lines,
    join_pieces,
    split_paragraphs,
)
from sources.parse import parse_source
from sources.readers import read_pasted
from tests.seeds import seed_text
from tests.sources.seedfiles import NEWSLETTER, POLICY, UNIVERSITY
from tests.work import SOURCES, chars_through, regex_chars, steps


def test_a_text_or_its_lines_give_the_same_paragraphs():
    text = "第一段。\r\n\r\n第二段，没有写完\r\n的句子。\n"
    assert join_broken_lines(text) == join_broken_lines(text.split("\r\n"))


def test_chinese_joins_without_a_space_latin_with_one():
    lines = [
        "职业院校要主动融入区域经济社会发展大局，密切与地方主导产业的关系，通过引企入校、",
        "引企驻校、企校一体等方式，与城市龙头企业合作共建产业学院。",
        "",
        "The quick brown fox jumps over the lazy dog, and then",
        "it runs away.",
    ]
    assert join_broken_lines(lines) == [
        "职业院校要主动融入区域经济社会发展大局，密切与地方主导产业的关系，通过引企入校、"
        "引企驻校、企校一体等方式，与城市龙头企业合作共建产业学院。",
        "The quick brown fox jumps over the lazy dog, and then it runs away.",
    ]


def test_one_paragraph_a_line_stays_so():
    pasted = [
        "标题在这里",
        "第一段写完了。",
        "第二段也写完了！",
        "德育铸魂，“党建指导员”为思政工作“补钙”",
        "学院党委按照要求开展活动。",
    ]
    assert join_broken_lines("\n".join(pasted)) == pasted


def test_a_sentence_cut_by_a_page_break_goes_on():
    lines = [
        "坚持实体经济为本、制造业当家，深入探索省域现代职业教育体系建设新模式，大力培养大国工匠、能工巧匠、高技能",
        "",
        "人才。通过部省共同努力，建成广东特色现代职业教育体系。",
    ]
    assert join_broken_lines(lines) == [
        "坚持实体经济为本、制造业当家，深入探索省域现代职业教育体系建设新模式，"
        "大力培养大国工匠、能工巧匠、高技能人才。通过部省共同努力，建成广东特色现代职业教育体系。"
    ]


def test_page_numbers_urls_and_stubs_leave_without_cutting_the_sentence():
    lines = [
        "课程标准、教学设计等几个模块，充分体现人才培养目标、教学目标，",
        "",
        " ",
        "",
        "39",
        "",
        "https://baike.baidu.com/item/%E6%B0%91/63855984?fromModule=lemma_inlink",
        "确保建设内容与学生发展相契合。",
    ]
    assert join_broken_lines(lines) == [
        "课程标准、教学设计等几个模块，充分体现人才培养目标、教学目标，确保建设内容与学生发展相契合。"
    ]


@pytest.mark.parametrize("text", ["30", "- 3 -", "— 12 —", "第 3 页", "3 / 12"])
def test_page_number_forms(text):
    assert is_page_number(text)
    assert join_broken_lines(["第一段。", "", text, "", "第二段。"]) == ["第一段。", "第二段。"]


def test_a_number_between_lines_is_not_a_page_number():
    assert "51" in join_broken_lines(["序号 名称", "51", "青海职业技术大学"])


def test_running_heads_at_page_starts_leave():
    bodies = ["第一页的正文。", "第二页的正文。", "第三页的正文。", "第四页的正文。"]
    lines = []
    for number, body in enumerate(bodies, start=1):
        lines += ["职教资讯 · 2023年第3期", body, "", f"— {number} —", "\f"]
    assert join_broken_lines(lines) == bodies


def test_end_marks_decide_where_paragraphs_end():
    lines = [
        "2023 年 3 月 23 日，教育部召开的新闻发布会上发布一组数字，",
        "我国有高等职业院校学校 1521 所，2022 年招生 546.61",
        "万人。 ",
        "本科层次职业学校 ",
        "作为新生事物，职业本科教育也经历了从无到有、 ",
        "从试点到全面实践的过程。 ",
    ] * 3
    paragraphs = join_broken_lines(lines)
    assert paragraphs[:3] == [
        "2023 年 3 月 23 日，教育部召开的新闻发布会上发布一组数字，"
        "我国有高等职业院校学校 1521 所，2022 年招生 546.61 万人。",  # the text's own spacing
        "本科层次职业学校",
        "作为新生事物，职业本科教育也经历了从无到有、从试点到全面实践的过程。",
    ]


def test_provenance_and_numbered_headings_are_never_joined():
    lines = ["教育部将组织对申报材料进行审查，遴选确定首批名单", "信息来源：教育部", "摘编：陆洁琰"]
    assert join_broken_lines(lines) == lines
    lines = ["本实施方案自印发之日起施行，", "一、总体要求", "（一）指导思想"]
    assert join_broken_lines(lines) == lines


def test_tab_separated_rows_stay_rows():
    lines = ["序号\t工作任务内容\t责任单位", "1\t聚焦先进制造业\t广州", "\t\t健康委"]
    assert join_broken_lines(lines) == lines


def test_width_of_chinese_latin_and_spaces():
    assert display_width("职业") == 4
    assert display_width("“双高”") == 8
    assert display_width("AI 2024") == 6.5


def test_fixed_width_seed_lines_become_its_paragraphs():
    paragraphs = join_broken_lines(seed_text(NEWSLETTER))
    assert paragraphs[0].startswith(
        "【编者按】近日，教育部官网发布了《教育部办公厅关于开展市域产教联合体"
    )
    assert paragraphs[0].endswith("到 2025 年共建设 150 家左右的市域产教联合体。")
    assert paragraphs[1:4] == [
        "要闻纵览",
        "教育部办公厅印发《关于开展市域产教联合体建设的通知》",  # a full-width title line
        "《通知》指出，联合体依托的产业园区总产值在本省份位于前列，主要以先进制造业、现代服务业、"
        "现代农业等为核心主导产业，加快发展新一代信息技术、生物技术、新能源、新材料、高端装备、"
        "新能源汽车、绿色环保以及航空航天、海洋装备等战略性新兴产业。联合体职业教育资源富集，"
        "涵盖中职、高职（含职教本科）学校，吸纳普通本科学校作为成员，搭建联合体人才供需信息平台，"
        "建设产教融合实训基地，校企共建产业学院，促进教育链、人才链与产业链、创新链紧密结合。",
    ]
    assert "金华职院：“五员”引领，为“两个先行”贡献力量" in paragraphs  # not glued to its heading
    assert "30" not in paragraphs


def test_page_starts_are_known():
    paragraphs = split_paragraphs(seed_text(UNIVERSITY))
    starts = [p.text for p in paragraphs if p.page_start]
    assert "校领导带队赴南通理工学院参加全国民办本科高校" in starts
    assert "我校召开职教本科专业建设专题培训会" in starts  # after the page number 31
    assert not any(p.text in ("39", "42", "75") for p in paragraphs)  # page numbers
    assert [p.text for p in paragraphs].count("31") == 1  # a table's row number, not page 31


def test_every_word_of_the_seeds_is_kept():
    for name in (POLICY, NEWSLETTER, UNIVERSITY):
        text = seed_text(name)
        joined = "".join(join_broken_lines(text)).replace(" ", "").replace("\t", "")
        for line in text.split("\n"):
            word = line.strip().replace(" ", "").replace("\t", "")
            if word and not word.startswith("http") and not word.isdigit():
                assert word in joined, line


# --- linear in the length of the text (review finding 13) ----------------------------------------


def test_a_paragraph_of_many_short_lines_is_read_in_linear_time(monkeypatch):
    """split_paragraphs joined a paragraph's lines one by one (text = join_pieces(text, line)),
    copying the growing text each time: 100 000 short numbered lines (4 MB, well under the 20 MB
    limit) took over 20 s. Counted: the lines of Python run, and the characters handed to
    join_pieces, which copies them."""
    copied = chars_through(monkeypatch, lines_module, "join_pieces")

    def work(n: int) -> int:
        text = "\n".join(f"{i}. 关于开展某某工作的通知" for i in range(n))
        copied.reset()
        return steps(parse_source, read_pasted(text), within=(SOURCES,)) + copied.chars

    small, large = work(1000), work(4000)
    # Linear: about 4×. Quadratic: about 16×.
    assert large / small < 6, f"1000 lines {small} steps, 4000 lines {large}"


def test_a_long_run_of_sentence_marks_is_read_in_linear_time(monkeypatch):
    """The sentence-end pattern ``[。！？…]+[”’）]*$``, searched for, tried each mark of a run in
    turn: a line of 20 000 。 took 6 s. Whether a line ends a sentence is read from its end, and
    no regex is handed the line for it (a regex's backtracking runs no line of Python)."""
    from sources import kinds

    regexes = regex_chars(
        monkeypatch, (lines_module, kinds), within=(lines_module, "_ends_sentence")
    )

    def work(n: int) -> int:
        return steps(split_paragraphs, ["正文。", "。" * n + "x", "下一行。"], within=(SOURCES,))

    small, large = work(5000), work(20000)
    assert large / small < 6, f"5k marks {small} steps, 20k marks {large}"
    assert regexes.chars < 100, f"{regexes.chars} characters handed to a regex for a sentence end"
    assert [p.text for p in split_paragraphs(["正文。", "。" * 20_000 + "x", "下一行。"])] == [
        "正文。",
        "。" * 20_000 + "x下一行。",
    ]


_PIECES = st.text(alphabet="中文年月ab Z09，、（ .", max_size=6)


@given(st.lists(_PIECES, max_size=12))
def test_joining_all_pieces_at_once_is_joining_them_two_by_two(pieces):
    assert join_all(pieces) == functools.reduce(join_pieces, pieces, "")


@given(st.text(alphabet="。！？!?…；;”’」』）)》】].a中\n ", max_size=8))
def test_the_end_of_a_sentence_is_what_the_pattern_found(text):
    pattern = re.compile(r"[。！？!?…；;]+[”’」』）)》】\]]*$|[.]$")
    assert _ends_sentence(text) == bool(pattern.search(text))


def test_a_sentence_end_is_read_in_time_linear_in_the_line(monkeypatch):
    """``kinds.ends_sentence`` once searched a regex that took seconds on a long run of 。: it is
    read from the end, no regex handed the line (whose backtracking no line count would see)."""
    from sources import kinds

    regexes = regex_chars(monkeypatch, (kinds,), within=(kinds, "ends_sentence"))
    small = steps(kinds.ends_sentence, "。" * 500 + "x")
    large = steps(kinds.ends_sentence, "。" * 20_000 + "x")
    assert large == small  # 40× the run: the same few lines
    assert regexes.chars == 0, f"{regexes.chars} characters handed to a regex"
    assert not kinds.ends_sentence("。" * 20_000 + "x") and kinds.ends_sentence("好。」")
    assert kinds.ends_sentence("。" * 20_000 + "”）")
