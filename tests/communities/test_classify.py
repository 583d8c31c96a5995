"""Scope, kind, province and industry derived from the names of the real registry."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from communities.classify import (
    CITIES,
    INDUSTRY_FALLBACK,
    PROVINCE_FULL_NAMES,
    PROVINCES,
    community_scope,
    industry,
    load_industry_table,
    organization_kind,
    organization_province,
)
from communities.registry import RegistryDoc, find_registry, parse_registry
from tests.seeds import ISSUE_02, seed_text


@pytest.fixture(scope="module")
def doc() -> RegistryDoc:
    found = find_registry(seed_text(ISSUE_02))
    assert found is not None
    return parse_registry(found[0], first_line=found[1])


# --- places ---------------------------------------------------------------------------------------


def test_province_table() -> None:
    assert len(PROVINCES) == 34 == len(set(PROVINCES))
    for short in ("广东", "北京", "内蒙古", "新疆", "广西", "宁夏", "西藏", "香港", "澳门", "台湾"):
        assert short in PROVINCES
    assert set(CITIES.values()) <= set(PROVINCES)
    assert set(PROVINCE_FULL_NAMES.values()) <= set(PROVINCES)


@pytest.mark.parametrize(
    "name",
    [
        "全国舞台科技应用行业产教融合共同体",
        "中国兰州牛肉拉面行业产教融合共同体",  # 中国 first, though a city follows
        "国家工业软件行业产教融合共同体",
        "中国—东盟农业职业教育产教融合共同体",
        "中欧智能制造产教融合共同体",
        "绿色化工行业产教融合共同体",  # names no place at all
        "“全国智能网联汽车及智慧出行”行业产教融合共同体",
        "新能源汽车行业产教融合共同体",  # 新 is not 新疆
    ],
)
def test_national(name: str) -> None:
    assert community_scope(name) == ("national", "")


@pytest.mark.parametrize(
    ("name", "province"),
    [
        ("湖北省化工安全行业产教融合共同体", "湖北"),
        ("新疆康养行业产教融合共同体", "新疆"),
        ("广西轨道交通行业产教融合共同体", "广西"),
        ("上海智能建造产教融合共同体", "上海"),
        ("重庆工业设计产教融合共同体", "重庆"),
        ("北京国际文旅服务产教融合共同体", "北京"),
        ("临夏·甘南文旅康养行业产教融合共同体", "甘肃"),  # cities of a province
        ("山西晋城（兰花）煤炭行业产教融合共同体", "山西"),
        ("“云南过桥米线”产教融合共同体", "云南"),
        ("内蒙古自治区某某产教融合共同体", "内蒙古"),
    ],
)
def test_provincial(name: str, province: str) -> None:
    assert community_scope(name) == ("provincial", province)


@pytest.mark.parametrize(
    "name",
    [
        "粤港澳大湾区新质智能产教科融合发展共同体",
        "长三角智能网联汽车行业产教融合共同体",
        "西部水利水电行业产教融合共同体",
        "黄河流域智能建造产教融合共同体",
        "华东地区水利电力行业产教融合共同体",
        "西南学前教育与托育服务产教融合共同体（职教集团）",
        "长江游轮行业产教融合共同体",
        "澜湄航运产教融合共同体",
    ],
)
def test_regional(name: str) -> None:
    assert community_scope(name) == ("regional", "")


def test_scopes_of_the_registry(doc: RegistryDoc) -> None:
    scopes = Counter(community_scope(e.name) for e in doc.entries)
    assert sum(n for (scope, _), n in scopes.items() if scope == "national") == 441
    assert scopes[("regional", "")] == 15
    assert scopes[("provincial", "山东")] == 7 and scopes[("provincial", "湖北")] == 6
    for (scope, province), _ in scopes.items():
        assert (province in PROVINCES) if scope == "provincial" else province == ""


@pytest.mark.parametrize(
    ("name", "province"),
    [
        ("广州番禺职业技术学院", "广东"),
        ("广州科技职业技术大学", "广东"),
        ("深圳职业技术大学", "广东"),
        ("深圳市企鹅网络科技有限公司", "广东"),
        ("顺德职业技术学院", "广东"),
        ("哈尔滨工业大学（深圳）", "广东"),  # the campus, not the parent
        ("哈尔滨工业大学（威海）", "山东"),
        ("中国石油大学（北京）克拉玛依校区", "新疆"),
        ("中国地质大学（武汉）", "湖北"),
        ("中国联合网络通信有限公司湖北分公司", "湖北"),
        ("上海南湖职业技术学院", "上海"),  # not 海南
        ("洛阳LYC轴承有限公司", "河南"),
        ("新疆巴音郭楞职业技术学院", "新疆"),
        ("内蒙古工业大学", "内蒙古"),
        ("香港理工大学时装及纺织学院", "香港"),
        ("中国石油大学（华东）", ""),  # a region, not a province
        ("顺丰速运有限公司", ""),
        ("西门子（中国）有限公司", ""),
        ("华为技术有限公司", ""),
    ],
)
def test_organization_province(name: str, province: str) -> None:
    assert organization_province(name) == province


# --- organisation kind ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("华为技术有限公司", "enterprise"),
        ("甘肃金味德拉面文化产业集团", "enterprise"),
        ("中建工程产业技术研究院有限公司", "enterprise"),  # 公司 before 研究院
        ("京东", "enterprise"),  # a brand
        ("湘雅博爱康复医院", "enterprise"),
        ("武汉大学", "university"),
        ("上海师范大学旅游学院", "university"),
        ("华中师大", "university"),
        ("中国石油大学（华东）", "university"),
        ("深圳职业技术大学", "vocational"),  # 职业技术大学 before 大学
        ("广州番禺职业技术学院", "vocational"),
        ("上海旅游高等专科学校", "vocational"),
        ("山西文化旅游职业大学（筹）", "vocational"),
        ("北京社会管理职业学院（民政职业大学）", "vocational"),
        ("湖北幼专", "vocational"),
        ("武汉职业技术", "vocational"),  # entry 196, cut off
        ("云南技师学院", "school"),  # 技师学院 before 学院
        ("潍坊市高密中等专业学校", "school"),
        ("四川省苍溪县职业高级中学", "school"),
        ("北京市丰台区职业与成人教育集团", "school"),
        ("中国科学院计算技术研究所", "research"),
        ("中国医药工业研究总院", "research"),
        ("浙江省农业科学院", "research"),
        ("国家智能网联汽车创新中心", "research"),
        ("中国纺织工业联合会", "association"),
        ("中国眼镜协会", "association"),
        ("中国建材工业经济研究会", "association"),  # 研究会 before 研究…
        ("新站高新技术产业开发区管理委员会", "association"),
        ("江苏省药品监督管理局审评中心", "association"),
        ("南非能源和水利培训署", "association"),
        ("全国电子商务数字教育发展联盟", "association"),
    ],
)
def test_organization_kind(name: str, kind: str) -> None:
    assert organization_kind(name) == kind


def test_kinds_of_the_registry(doc: RegistryDoc) -> None:
    orgs = {u for e in doc.entries for u in e.lead_units}
    kinds = Counter(organization_kind(o) for o in orgs)
    assert set(kinds) == {
        "enterprise",
        "university",
        "vocational",
        "school",
        "research",
        "association",
    }
    # Every name ending in 职业技术学院 is vocational, every 有限公司 an enterprise.
    assert all(organization_kind(o) == "vocational" for o in orgs if o.endswith("职业技术学院"))
    assert all(organization_kind(o) == "enterprise" for o in orgs if o.endswith("有限公司"))


# --- industry -------------------------------------------------------------------------------------


def test_every_community_gets_an_industry_from_the_table(doc: RegistryDoc) -> None:
    categories = {name for name, _ in load_industry_table()}
    assert INDUSTRY_FALLBACK not in categories
    found = Counter(industry(e.name) for e in doc.entries)
    assert INDUSTRY_FALLBACK not in found, [
        e.name for e in doc.entries if industry(e.name) == INDUSTRY_FALLBACK
    ]
    assert set(found) <= categories
    assert len(found) >= 12  # the registry spreads over the table, not into one bucket


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("中国兰州牛肉拉面行业产教融合共同体", "食品餐饮"),
        ("全国宠物医疗行业产教融合共同体", "现代农业"),  # not 医药健康
        ("全国新能源汽车行业产教融合共同体", "先进制造"),  # not 能源化工
        ("全国新能源行业产教融合共同体", "能源化工"),
        ("全国石化化工行业“工业互联网+安全生产”产教融合共同体", "能源化工"),
        ("全国工业大数据行业产教融合共同体", "信息技术"),
        ("全国建筑机器人产教融合共同体", "建筑"),
        ("全国会计行业产教融合共同体", "财经商贸"),
        ("全国AI电商产教融合共同体", "财经商贸"),
        ("全国现代旅游酒店业产教融合共同体", "文化旅游"),
        ("全国智慧物流行业产教融合共同体", "交通物流"),
        ("全国学前教育与托育服务产教融合共同体", "教育服务"),
        ("全国智慧家政行业产教融合共同体", "现代服务"),
        ("全国智慧水务产教融合共同体", "生态环保"),
        ("全国康复行业产教融合共同体", "医药健康"),
        ("全国数字影视行业产教融合共同体", "文化传媒"),
    ],
)
def test_industry(name: str, category: str) -> None:
    assert industry(name) == category


def test_boilerplate_does_not_match() -> None:
    # 融合/共同体/职业教育集团 are in every name and must not decide a category
    assert industry("全国某某产教融合共同体") == INDUSTRY_FALLBACK


def test_custom_table_and_file_order(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps(
            {
                "categories": [
                    {"name": "甲", "keywords": ["汽车"]},
                    {"name": "乙", "keywords": ["新能源"]},
                ]
            }
        ),
        encoding="utf-8",
    )
    table = load_industry_table(path)
    assert table == (("甲", ("汽车",)), ("乙", ("新能源",)))
    assert industry("全国新能源汽车行业产教融合共同体", table) == "甲"
    assert industry("全国新能源行业产教融合共同体", table) == "乙"
    assert industry("全国会计行业产教融合共同体", table) == INDUSTRY_FALLBACK


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        '{"categories": []}',
        '{"categories": [{"name": "甲"}]}',
        '{"categories": [{"name": "", "keywords": ["x"]}]}',
        '{"categories": [{"name": "甲", "keywords": [""]}]}',
    ],
)
def test_bad_table(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError):
        load_industry_table(path)
