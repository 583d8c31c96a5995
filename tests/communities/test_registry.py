"""The registry parser against the real appendix of 2024年第02期 and against broken input."""

from __future__ import annotations

import datetime

import pytest

from communities.registry import (
    FLAG_DANGLING_SEPARATOR,
    FLAG_DUPLICATE_NAME,
    FLAG_NAME_IRREGULAR,
    FLAG_NAME_TRIMMED,
    FLAG_NOTES,
    FLAG_TRUNCATED,
    RegistryDoc,
    RegistryEntry,
    RegistryError,
    find_registry,
    looks_complete_org,
    normalize_name,
    normalize_org_name,
    parse_registry,
    split_lead_units,
)
from tests.seeds import ISSUE_02, seed_text


@pytest.fixture(scope="module")
def issue_text() -> str:
    return seed_text(ISSUE_02)


@pytest.fixture(scope="module")
def doc(issue_text: str) -> RegistryDoc:
    found = find_registry(issue_text)
    assert found is not None
    text, first_line = found
    return parse_registry(text, first_line=first_line)


def entry(doc: RegistryDoc, number: int) -> RegistryEntry:
    (found,) = [e for e in doc.entries if e.number == number]
    return found


# --- the real registry ----------------------------------------------------------------------------


def test_find_registry_skips_the_table_of_contents_line(issue_text: str) -> None:
    found = find_registry(issue_text)
    assert found is not None
    text, first_line = found
    assert first_line == 2555  # the 目录 line 76 names the appendix too, with a page number
    assert issue_text.splitlines()[first_line - 1] == text.splitlines()[0]
    assert text.splitlines()[0].startswith("## 附录：")


def test_find_registry_none_without_appendix() -> None:
    assert find_registry("# 目录\n\n1 职教动态\n") is None
    assert find_registry("附录：全国行业产教融合共同体成立汇总表（1-500）\t165\n") is None
    assert find_registry("详见全国行业产教融合共同体成立汇总表。\n") is None


def test_find_registry_bold_heading() -> None:
    text = "正文\n\n**附录：某某共同体成立汇总表**\n\n01\n"
    assert find_registry(text) == ("**附录：某某共同体成立汇总表**\n\n01", 3)


def test_document_fields(doc: RegistryDoc) -> None:
    assert doc.title == "全国（及省级）行业产教融合共同体成立汇总表（1-500）"
    assert doc.source == "中教全媒体整理"
    assert doc.published == datetime.date(2024, 11, 11)


def test_500_entries_numbered_1_to_500_in_order(doc: RegistryDoc) -> None:
    assert [e.number for e in doc.entries] == list(range(1, 501))


def test_last_printed_entry_is_number_1(doc: RegistryDoc) -> None:
    first = entry(doc, 1)  # printed "01", the last entry in the file
    assert first.name == "全国人工智能职业教育产教融合共同体"
    assert first.lead_units == (
        "广州科技职业技术大学",
        "广州飞瑞敖电子科技股份有限公司",
        "广东技术师范大学",
    )
    assert (first.founded_year, first.founded_month) == (2023, 12)  # printed "2023 年 12 月"
    assert first.line == 6517
    assert first.flags == ()


def test_first_printed_entry_is_number_500_with_he_separator(doc: RegistryDoc) -> None:
    last = entry(doc, 500)
    assert last.name == "中国兰州牛肉拉面行业产教融合共同体"
    assert last.lead_units_text == "甘肃金味德拉面文化产业集团、甘肃农业大学和兰州现代职业学院"
    assert last.lead_units == ("甘肃金味德拉面文化产业集团", "甘肃农业大学", "兰州现代职业学院")
    assert (last.founded_year, last.founded_month) == (2024, 9)  # printed "2024年9月"
    assert last.line == 2557


def test_zero_padded_number_and_chou_kept(doc: RegistryDoc) -> None:
    nine = entry(doc, 9)
    assert nine.line == 6460
    assert nine.name == "全国演艺行业产教融合共同体"
    assert nine.lead_units == ("山西文化旅游职业大学（筹）", "中国东方演艺集团", "大连艺术学院")


@pytest.mark.parametrize(
    ("number", "text", "units"),
    [
        # wrapped after a separator
        (
            46,
            "海南经贸职业技术学院、中国国际贸易促进委员会商业行业委员会、"
            "阿里巴巴国际数字商业集团、对外经济贸易大学",
            (
                "海南经贸职业技术学院",
                "中国国际贸易促进委员会商业行业委员会",
                "阿里巴巴国际数字商业集团",
                "对外经济贸易大学",
            ),
        ),
        # wrapped in the middle of a name: "东" / "北师范大学"
        (
            44,
            "潍坊市高密中等专业学校、北京水米田教育科技有限公司、东北师范大学",
            ("潍坊市高密中等专业学校", "北京水米田教育科技有限公司", "东北师范大学"),
        ),
        (
            42,
            "兰州现代职业学院、中国移动通信集团甘肃有限公司、甘肃农业大学",
            ("兰州现代职业学院", "中国移动通信集团甘肃有限公司", "甘肃农业大学"),
        ),
    ],
)
def test_wrapped_lead_units(
    doc: RegistryDoc, number: int, text: str, units: tuple[str, ...]
) -> None:
    e = entry(doc, number)
    assert e.lead_units_text == text
    assert e.lead_units == units


@pytest.mark.parametrize(
    ("number", "units"),
    [
        # spaces as separators
        (240, ("统信软件技术有限公司", "武汉大学", "武汉职业技术学院")),
        # 和
        (400, ("华洋海事中心有限公司", "大连海事大学", "江苏海事职业技术学院")),
        # 与
        (485, ("日照职业技术学院", "中国海洋大学", "山东省港口集团有限公司")),
        # 及
        (
            398,
            (
                "中建工程产业技术研究院有限公司",
                "太原理工大学",
                "山西工程科技职业大学",
                "展视网（北京）科技有限公司",
            ),
        ),
        # 联合
        (
            139,
            (
                "龙芯中科技术股份有限公司",
                "浙江大学",
                "深圳职业技术大学",
                "中国科学院计算技术研究所",
            ),
        ),
        # X牵头，Y、Z
        (442, ("中国商飞四川公司", "中国民航大学", "四川西南航空职业学院")),
        # X牵头、Y
        (449, ("中国纺织工业联合会", "中国纺织服装教育学会", "温州职业技术学院")),
        # 、与Y
        (341, ("哈尔滨商业大学", "黑龙江农业经济职业学院", "浙江淘宝教育科技有限公司")),
        # X指导、Y
        (179, ("现代职业教育研究院", "威海职业学院", "北京外研在线数字科技有限公司")),
    ],
)
def test_separators(doc: RegistryDoc, number: int, units: tuple[str, ...]) -> None:
    assert entry(doc, number).lead_units == units


def test_lead_units_text_is_kept_as_printed(doc: RegistryDoc) -> None:
    assert entry(doc, 240).lead_units_text == "统信软件技术有限公司 武汉大学 武汉职业技术学院"
    assert entry(doc, 442).lead_units_text == (
        "中国商飞四川公司牵头，中国民航大学、四川西南航空职业学院"
    )
    assert entry(doc, 334).lead_units_text.count("中国地质大学(武汉)") == 1
    assert entry(doc, 105).lead_units_text.startswith("洛阳 LYC 轴承有限公司、")


@pytest.mark.parametrize(
    ("number", "name"),
    [
        (465, "南非能源和水利培训署"),
        (488, "南非中国文化和国际教育交流中心"),
        (403, "香港理工大学时装及纺织学院"),
        (334, "北京市丰台区职业与成人教育集团"),
        (229, "日照市文化和旅游集团有限公司"),
        (342, "北京和利时教育科技有限公司"),
        (416, "普天和平科技有限公司"),
        (33, "海克斯康测绘与地理信息系统（青岛）有限公司"),
        (114, "云南省餐饮和美食行业协会"),
        (252, "济南中和合规研究院"),
        (92, "中国联合国采购促进会"),
        (188, "中国联合网络通信有限公司湖北分公司"),
        (449, "中国纺织工业联合会"),
    ],
)
def test_names_containing_connectors_are_not_split(
    doc: RegistryDoc, number: int, name: str
) -> None:
    assert name in entry(doc, number).lead_units


def test_names_normalised(doc: RegistryDoc) -> None:
    assert "中国地质大学（武汉）" in entry(doc, 334).lead_units  # printed (武汉)
    assert "中国地质大学（北京）" in entry(doc, 349).lead_units
    assert entry(doc, 105).lead_units[0] == "洛阳LYC轴承有限公司"
    assert entry(doc, 106).lead_units[0] == "瑞士联邦乔治费歇尔GF加工方案公司"
    # an article's "（下称“…”）" is not part of the name; other bracketed notes are
    assert entry(doc, 418).lead_units[0] == "广东省外语艺术职业学院"
    assert entry(doc, 130).lead_units[0] == "广州国际生物岛集团有限公司"
    assert entry(doc, 279).lead_units[0] == "北京火山引擎科技有限公司（字节跳动旗下）"
    assert "世界发型设计家协会（ICD中国）" in entry(doc, 239).lead_units
    # community names: spaces folded, the event words of 319 removed
    assert entry(doc, 184).name == "全国工业4.0行业产教融合共同体"
    assert entry(doc, 74).name == "全国AI设计产教融合共同体"
    assert entry(doc, 319).name == "全国现代旅游酒店业产教融合共同体"


def test_entry_196_is_truncated_in_the_source_and_kept_as_printed(doc: RegistryDoc) -> None:
    e = entry(doc, 196)
    assert e.lead_units_text == "统信软件技术有限公司、武汉大学、武汉职业技术"
    assert e.lead_units == ("统信软件技术有限公司", "武汉大学", "武汉职业技术")
    assert e.flags == (FLAG_TRUNCATED,)
    assert (e.founded_year, e.founded_month) == (2024, 8)


def test_flags_of_the_irregular_entries_only(doc: RegistryDoc) -> None:
    flagged = {e.number: e.flags for e in doc.entries if e.flags}
    assert flagged == {
        159: (FLAG_NAME_IRREGULAR,),  # …产教融合共用体
        196: (FLAG_TRUNCATED,),
        212: (FLAG_DANGLING_SEPARATOR,),  # …安徽中医药大学、
        319: (FLAG_NAME_TRIMMED,),  # …共同体成立大会
        410: (FLAG_DUPLICATE_NAME,),  # 全国装配化装修产教融合共同体, also 441
        428: (FLAG_TRUNCATED,),  # …携程旅游网络技术（上海）
        441: (FLAG_DUPLICATE_NAME,),
    }
    assert all(flag in FLAG_NOTES for flags in flagged.values() for flag in flags)


def test_both_date_spellings(doc: RegistryDoc) -> None:
    spaced, plain = entry(doc, 42), entry(doc, 43)  # "2023 年 11 月", "2023年11月"
    assert (spaced.founded_year, spaced.founded_month) == (2023, 11)
    assert (plain.founded_year, plain.founded_month) == (2023, 11)
    years = {e.founded_year for e in doc.entries}
    assert years == {2023, 2024}
    assert all(1 <= e.founded_month <= 12 for e in doc.entries)


# Lead units printed without an organisation ending: brands, short names, cut-off names.
UNSUFFIXED = {
    "马蜂窝",
    "安元科技",
    "泰康之家",
    "前海粤十",
    "华中师大",
    "传神语联",
    "淘宝天下",
    "李宁体育园",
    "广州岭南商旅集团岭南酒店",
    "5720工厂",
    "中国电子云",
    "广州工控",
    "中国中检",
    "中国汽研",
    "网易有道",
    "麒麟信安",
    "创想三维",
    "拓维信息",
    "中国移动",
    "上海电气",
    "亚威股份",
    "京东科技",
    "京东",
    "武汉职业技术",
    "携程旅游网络技术（上海）",
}


def test_every_lead_unit_is_a_plausible_name(doc: RegistryDoc) -> None:
    units = [u for e in doc.entries for u in e.lead_units]
    odd = {u for u in units if not looks_complete_org(u)}
    assert odd <= UNSUFFIXED, odd - UNSUFFIXED
    for e in doc.entries:
        assert len(e.lead_units) >= 2, e
        assert len(set(e.lead_units)) == len(e.lead_units)
        for unit in e.lead_units:
            assert unit == normalize_org_name(unit)
            assert not unit.endswith(("牵头", "指导")) and not unit.startswith(("与", "和", "及"))
            assert " " not in unit and "(" not in unit  # no folded space or half-width bracket left


def test_distinct_organisations(doc: RegistryDoc) -> None:
    assert len({u for e in doc.entries for u in e.lead_units}) == 1133


# --- helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("甲大学和乙职业学院", ["甲大学", "乙职业学院"]),
        ("甲公司牵头，乙大学、丙学院等", ["甲公司", "乙大学", "丙学院"]),
        ("人力资源和社会保障部、乙大学", ["人力资源和社会保障部", "乙大学"]),
        ("甲大学、甲大学", ["甲大学"]),
        ("中国地质大学(武汉)与乙学院", ["中国地质大学（武汉）", "乙学院"]),
        ("甲大学、乙 学院", ["甲大学", "乙学院"]),
        ("甲大学和京东", ["甲大学和京东"]),  # not split: 京东 does not end like a name
    ],
)
def test_split_lead_units(text: str, units: list[str]) -> None:
    assert split_lead_units(text) == units


def test_normalize() -> None:
    assert normalize_org_name(" **洛阳 LYC 轴承(河南)有限公司** ") == "洛阳LYC轴承（河南）有限公司"
    assert normalize_org_name("Foo  Bar (GF)") == "Foo Bar (GF)"
    assert normalize_name("全国 AI 设计产教融合共同体成立大会") == "全国AI设计产教融合共同体"
    assert normalize_name("成立大会筹备共同体") == "成立大会筹备共同体"


# --- broken input ---------------------------------------------------------------------------------

GOOD = """\
# 附录：测试汇总表（1-2）

02

甲行业产教融合共同体

牵头单位：甲大学、乙职业学院

成立时间：2024年9月

01

乙行业产教融合共同体

牵头单位：丙公司

成立时间：2023 年 11 月

**资料来源：**某某整理
"""


def test_minimal_document_and_line_numbers() -> None:
    doc = parse_registry(GOOD, first_line=100)
    assert doc.title == "测试汇总表（1-2）"
    assert [(e.number, e.line) for e in doc.entries] == [(1, 110), (2, 102)]
    assert doc.source == "某某整理"
    assert doc.published is None


def test_heading_without_hash() -> None:
    assert parse_registry(GOOD.replace("# 附录：", "")).title == "测试汇总表（1-2）"


def _error(text: str, first_line: int = 100) -> RegistryError:
    with pytest.raises(RegistryError) as info:
        parse_registry(text, first_line=first_line)
    return info.value


def test_duplicate_number() -> None:
    err = _error(GOOD.replace("\n01\n", "\n02\n"))
    assert err.line == 110
    assert str(err).startswith("第 110 行：") and "重复" in str(err)


def test_bad_month() -> None:
    err = _error(GOOD.replace("2024年9月", "2024年13月"))
    assert err.line == 108 and "月份" in err.message


def test_bad_year() -> None:
    assert _error(GOOD.replace("2024年9月", "1900年9月")).line == 108


def test_unreadable_founding_date() -> None:
    assert _error(GOOD.replace("2024年9月", "去年秋天")).line == 108


def test_missing_founding_date() -> None:
    err = _error(GOOD.replace("成立时间：2024年9月\n", ""))
    assert err.line == 102 and "成立时间" in err.message


def test_missing_name() -> None:
    err = _error(GOOD.replace("甲行业产教融合共同体\n", ""))
    assert err.line == 102 and "名称" in err.message


def test_missing_lead_units() -> None:
    assert _error(GOOD.replace("牵头单位：丙公司\n", "")).line == 110
    assert _error(GOOD.replace("牵头单位：丙公司", "牵头单位：")).line == 114


def test_text_before_the_first_entry() -> None:
    assert _error(GOOD.replace("\n02\n", "\n说明文字\n\n02\n")).line == 102


def test_text_after_the_founding_date() -> None:
    err = _error(GOOD.replace("成立时间：2024年9月\n", "成立时间：2024年9月\n\n多余的一行\n"))
    assert err.line == 110


def test_bad_publication_date() -> None:
    assert _error(GOOD + "\n发布日期：2024 年 2 月 30 日\n").line == 120


def test_no_entries() -> None:
    assert _error("# 附录：空表\n\n").line == 100


def test_error_without_line() -> None:
    err = RegistryError("坏了")
    assert str(err) == "坏了" and err.line is None
