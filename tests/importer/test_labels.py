"""What a 来源标签 names (importer/labels.py): every label of both seed issues, and names shaped
like them that end as organisations do and are none."""

from __future__ import annotations

import pytest

from importer.labels import OUTLET, PLACE, TOPIC, label_kind
from importer.parse import parse_issue
from tests.seeds import ISSUE_01, ISSUE_02, seed_text

# Every label printed in the two seed issues, decided one by one (issue 14).
SEED_LABELS = {
    # ministries, government bodies and their offices
    "人力资源社会保障部": OUTLET,
    "人力资源社会保障等部门": OUTLET,
    "教育部": OUTLET,
    "国务院": OUTLET,
    "国家统计局": OUTLET,
    "广东省人民政府": OUTLET,
    "广东省教育厅": OUTLET,
    "广东省人力资源社会保障厅": OUTLET,
    "广东省统计局": OUTLET,
    "广州市教育局": OUTLET,
    "广州市统计局": OUTLET,
    "广州市人力资源社会保障局": OUTLET,
    # a school (佛山职业技术学院)
    "佛职院": OUTLET,
    # newspapers, agencies, sites, journals
    "中国教育报": OUTLET,
    "中国青年报": OUTLET,
    "光明日报": OUTLET,
    "北京商报": OUTLET,
    "广州日报": OUTLET,
    "南方都市报": OUTLET,
    "新华社": OUTLET,
    "新浪财经": OUTLET,
    "第一财经": OUTLET,  # 信息来源：《第一财经日报》
    "中国职业技术教育": OUTLET,  # 资料来源：中国职业技术教育官网 (a journal)
    # topics of 校本研究 and the like
    "产教融合": TOPIC,
    "工学一体化": TOPIC,
    "三全五育": TOPIC,
    "教材建设": TOPIC,
    "职普融通": TOPIC,
    "数字科技发展技术": TOPIC,
    "汽车行业发展技术": TOPIC,
    "粤菜产业发展路径": TOPIC,
    "智慧建筑技术趋势": TOPIC,
    "广东职业技能": TOPIC,
    "广东省技工院校": TOPIC,  # the province's technical schools: a kind of school, not one
    # places of 实践前沿 and 广州市经济产业发展
    "山东": PLACE,
    "江苏": PLACE,
    "浙江": PLACE,
    "甘肃": PLACE,
    "广州": PLACE,
    "广州科教城": PLACE,  # 位于广州市增城区朱村街的科教城
}


@pytest.fixture(scope="module")
def labelled() -> list:
    return [a for name in (ISSUE_02, ISSUE_01) for a in parse_issue(seed_text(name)).articles]


def test_every_seed_label_is_of_its_kind(labelled) -> None:
    found = {a.source for a in labelled if a.source}
    assert found == set(SEED_LABELS)  # a new label in the seeds needs a decision here
    wrong = [
        (a.number, a.source, a.source_kind)
        for a in labelled
        if a.source and a.source_kind != SEED_LABELS[a.source]
    ]
    assert wrong == []
    assert all(a.source_kind == "" for a in labelled if not a.source)


def test_counts_of_the_seed_labels(labelled) -> None:
    kinds = [a.source_kind for a in labelled if a.source]
    assert (kinds.count(OUTLET), kinds.count(TOPIC), kinds.count(PLACE)) == (35, 11, 8)


@pytest.mark.parametrize(
    ("label", "source_name", "kind"),
    [
        ("", "", ""),
        ("《中国教育报》", "", OUTLET),
        ("广州", "广州统计局", PLACE),  # the place, though the source starts with it
        ("广东省", "", PLACE),
        ("广州市", "", PLACE),
        ("长三角", "", PLACE),
        ("华南地区", "", PLACE),
        ("广东广州", "", PLACE),
        ("广州开发区", "", PLACE),
        ("广州市天河区教育局", "", OUTLET),
        ("产教融合", "产教融合网", OUTLET),  # the label is the start of its own 信息来源
        ("产教融合", "《中国教育报》", TOPIC),
        ("职业教育", "《职业教育》2024年第8期", TOPIC),  # an issue of a journal, not its name
        ("工业互联网", "", TOPIC),
        ("产业布局", "", TOPIC),
        ("新发展格局", "", TOPIC),
        ("基层干部", "", TOPIC),
        ("统计公报", "", TOPIC),
        ("职业院校", "", TOPIC),
        ("深圳职业技术大学", "", OUTLET),
        ("人民网", "", OUTLET),
        ("央视新闻", "", OUTLET),
        ("广东省职业技能鉴定指导中心", "", OUTLET),
        ("中华职业教育社", "", OUTLET),
    ],
)
def test_label_kind(label: str, source_name: str, kind: str) -> None:
    assert label_kind(label, source_name=source_name) == kind
