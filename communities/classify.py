"""Derive a community's scope and industry and an organisation's kind and province from names.

Pure functions over the printed names (no Django). They give a first value at import time;
editors correct single rows in the admin, so the rules aim to be right for the registry as printed,
not for every name imaginable.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

__all__ = [
    "CITIES",
    "INDUSTRY_FALLBACK",
    "PROVINCES",
    "PROVINCE_FULL_NAMES",
    "REGIONS",
    "community_scope",
    "industry",
    "load_industry_table",
    "organization_kind",
    "organization_province",
    "place_mentions",
]

NATIONAL, PROVINCIAL, REGIONAL = "national", "provincial", "regional"

# --- places ---------------------------------------------------------------------------------------

#: The 34 province-level divisions, short names as used in names (广东, 内蒙古, 新疆 …).
PROVINCES: tuple[str, ...] = (
    "北京",
    "天津",
    "河北",
    "山西",
    "内蒙古",
    "辽宁",
    "吉林",
    "黑龙江",
    "上海",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "广西",
    "海南",
    "重庆",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "台湾",
    "香港",
    "澳门",
)

#: Official full names (and the 省/市 forms) mapped to the short name.
PROVINCE_FULL_NAMES: dict[str, str] = {
    **{f"{p}省": p for p in PROVINCES},
    **{f"{p}市": p for p in ("北京", "天津", "上海", "重庆")},
    "内蒙古自治区": "内蒙古",
    "广西壮族自治区": "广西",
    "西藏自治区": "西藏",
    "宁夏回族自治区": "宁夏",
    "新疆维吾尔自治区": "新疆",
    "香港特别行政区": "香港",
    "澳门特别行政区": "澳门",
}

#: Cities (and a few counties, districts and other unambiguous place names) → province: every
#: provincial capital and sub-provincial city, and the places that appear in the registry's lead
#: units and community names. Left out on purpose: names that are also ordinary words or brands
#: (泰山, 三峡, 长江, 湄洲湾, 共青, 鲁迅, 吉利), which would mislead more often than help.
CITIES: dict[str, str] = {
    # provincial capitals
    "石家庄": "河北",
    "太原": "山西",
    "呼和浩特": "内蒙古",
    "沈阳": "辽宁",
    "长春": "吉林",
    "哈尔滨": "黑龙江",
    "南京": "江苏",
    "杭州": "浙江",
    "合肥": "安徽",
    "福州": "福建",
    "南昌": "江西",
    "济南": "山东",
    "郑州": "河南",
    "武汉": "湖北",
    "长沙": "湖南",
    "广州": "广东",
    "南宁": "广西",
    "海口": "海南",
    "成都": "四川",
    "贵阳": "贵州",
    "昆明": "云南",
    "拉萨": "西藏",
    "西安": "陕西",
    "兰州": "甘肃",
    "西宁": "青海",
    "银川": "宁夏",
    "乌鲁木齐": "新疆",
    # sub-provincial cities
    "深圳": "广东",
    "厦门": "福建",
    "宁波": "浙江",
    "青岛": "山东",
    "大连": "辽宁",
    # 广东
    "佛山": "广东",
    "东莞": "广东",
    "珠海": "广东",
    "中山": "广东",
    "惠州": "广东",
    "江门": "广东",
    "汕头": "广东",
    "顺德": "广东",
    "番禺": "广东",
    "前海": "广东",
    # 山东
    "烟台": "山东",
    "潍坊": "山东",
    "淄博": "山东",
    "济宁": "山东",
    "日照": "山东",
    "威海": "山东",
    "临沂": "山东",
    "东营": "山东",
    "滨州": "山东",
    "枣庄": "山东",
    "聊城": "山东",
    "菏泽": "山东",
    "泰安": "山东",
    "德州": "山东",
    "曲阜": "山东",
    "高密": "山东",
    "齐鲁": "山东",
    # 江苏
    "苏州": "江苏",
    "无锡": "江苏",
    "常州": "江苏",
    "徐州": "江苏",
    "扬州": "江苏",
    "南通": "江苏",
    "盐城": "江苏",
    "镇江": "江苏",
    "泰州": "江苏",
    "连云港": "江苏",
    "淮安": "江苏",
    "宿迁": "江苏",
    # 浙江
    "温州": "浙江",
    "金华": "浙江",
    "台州": "浙江",
    "绍兴": "浙江",
    "嘉兴": "浙江",
    "湖州": "浙江",
    "义乌": "浙江",
    "余姚": "浙江",
    # 河南
    "洛阳": "河南",
    "开封": "河南",
    "南阳": "河南",
    "新乡": "河南",
    "信阳": "河南",
    "许昌": "河南",
    "三门峡": "河南",
    "林州": "河南",
    "长垣": "河南",
    # 湖北
    "襄阳": "湖北",
    "宜昌": "湖北",
    "恩施": "湖北",
    "鄂州": "湖北",
    "黄冈": "湖北",
    "仙桃": "湖北",
    "十堰": "湖北",
    # 湖南
    "湘潭": "湖南",
    "株洲": "湖南",
    # 安徽
    "芜湖": "安徽",
    "蚌埠": "安徽",
    "滁州": "安徽",
    "池州": "安徽",
    # 福建
    "漳州": "福建",
    "宁德": "福建",
    "南平": "福建",
    "泉州": "福建",
    # 江西
    "九江": "江西",
    "宜春": "江西",
    "新余": "江西",
    "赣州": "江西",
    # 四川
    "宜宾": "四川",
    "绵阳": "四川",
    "达州": "四川",
    "苍溪": "四川",
    # 贵州, 云南
    "遵义": "贵州",
    "安顺": "贵州",
    "红河": "云南",
    # 广西
    "柳州": "广西",
    "桂林": "广西",
    # 陕西
    "渭南": "陕西",
    "杨凌": "陕西",
    "延安": "陕西",
    # 甘肃
    "天水": "甘肃",
    "武威": "甘肃",
    "酒泉": "甘肃",
    "临夏": "甘肃",
    "甘南": "甘肃",
    # 山西
    "长治": "山西",
    "晋城": "山西",
    "大同": "山西",
    # 河北, 辽宁, 吉林, 内蒙古
    "唐山": "河北",
    "保定": "河北",
    "松原": "吉林",
    "乌兰察布": "内蒙古",
    "包头": "内蒙古",
    # 新疆 (兵团: the Xinjiang Production and Construction Corps)
    "克拉玛依": "新疆",
    "石河子": "新疆",
    "喀什": "新疆",
    "伊犁": "新疆",
    "昌吉": "新疆",
    "阿克苏": "新疆",
    "博尔塔拉": "新疆",
    "巴音郭楞": "新疆",
    "库尔勒": "新疆",
    "兵团": "新疆",
    # 海南
    "三亚": "海南",
    # 北京
    "中关村": "北京",
}

#: Regions larger than a province, as community names begin with them. A community named after
#: one of these is "regional".
REGIONS: tuple[str, ...] = (
    "粤港澳大湾区",
    "大湾区",
    "长江三角洲",
    "长三角",
    "珠江三角洲",
    "珠三角",
    "京津冀",
    "成渝",
    "泛珠",
    "西部",
    "东部",
    "中部",
    "东北",
    "西北",
    "西南",
    "华北",
    "华东",
    "华南",
    "华中",
    "黄河",
    "长江",
    "澜湄",
    "南亚热带",
)

_PLACES: dict[str, str] = {
    **{p: p for p in PROVINCES},
    **PROVINCE_FULL_NAMES,
    **CITIES,
}
# Longest first, so 内蒙古自治区 beats 内蒙古 and 三门峡 is not read as something shorter.
_PLACE_PATTERN = re.compile("|".join(sorted(map(re.escape, _PLACES), key=len, reverse=True)))
# National prefixes; 中欧/中德/中国—东盟 are China-level international cooperation: national.
_NATIONAL_PREFIX = re.compile(r"^(?:全国|全民|中国|国家|中[欧德美俄非法英日韩])")
_LEADING_QUOTES = "“”\"'‘’「」《》 "


def place_mentions(name: str) -> list[tuple[str, str]]:
    """The places named in ``name``, left to right, as (text, province).

    Matching is greedy from the left and never overlaps, so 上海南湖职业技术学院 is 上海 and not
    海南, and 江西安… is 江西 and not 西安.
    """
    return [(m.group(0), _PLACES[m.group(0)]) for m in _PLACE_PATTERN.finditer(name)]


def community_scope(name: str) -> tuple[str, str]:
    """(scope, province) of a community from its name; province is "" unless provincial.

    Decisions, checked against the 500 names of the seed registry:

    * 全国/中国/国家/全民, and 中欧/中德/中国—东盟 (China-level international cooperation) at the
      start → national, even when a city follows (中国兰州牛肉拉面…: a dish, led nationally).
    * A region larger than a province at the start (粤港澳大湾区, 长三角, 西部, 华东地区, 黄河流域,
      长江游轮, 澜湄航运, 南亚热带农业…) → regional.
    * A province, or a city or prefecture of one, at the start (湖北省…, 新疆…, 上海…, 临夏·甘南…,
      山西晋城…, “云南过桥米线”…) → provincial, with that province. A city is provincial with its
      province: the registry has no "city" scope, and its city communities are provincial ones.
    * Anything else names no place → national (绿色化工行业…, 数字农业…).
    """
    text = name.strip().lstrip(_LEADING_QUOTES)
    if _NATIONAL_PREFIX.match(text):
        return NATIONAL, ""
    if text.startswith(REGIONS):
        return REGIONAL, ""
    match = _PLACE_PATTERN.match(text)
    if match:
        return PROVINCIAL, _PLACES[match.group(0)]
    return NATIONAL, ""


def organization_province(name: str) -> str:
    """The province an organisation is in, as far as its name says; "" if it says none.

    The last place named wins: a campus, branch or subsidiary qualifier is more specific than
    the parent's name (哈尔滨工业大学（深圳） → 广东, 中国石油大学（北京）克拉玛依校区 → 新疆,
    中国联合网络通信有限公司湖北分公司 → 湖北, 海天星辰智能家居（武汉）有限公司 → 湖北).
    Regions and countries give nothing: 中国石油大学（华东）, 西门子（中国）有限公司 → "".
    """
    mentions = place_mentions(name)
    return mentions[-1][1] if mentions else ""


# --- organisation kind ----------------------------------------------------------------------------

ENTERPRISE, UNIVERSITY, VOCATIONAL, SCHOOL, RESEARCH, ASSOCIATION = (
    "enterprise",
    "university",
    "vocational",
    "school",
    "research",
    "association",
)

# Ordered (ending, kind) rules, the first ending that matches decides; more specific endings come
# before the general ones they end with (职业技术大学 before 大学, 技师学院 before 学院,
# 研究院有限公司 is caught by 公司 before 研究院).
_KIND_BY_ENDING: tuple[tuple[str, str], ...] = (
    ("公司", ENTERPRISE),
    ("股份", ENTERPRISE),
    ("工厂", ENTERPRISE),
    ("厂", ENTERPRISE),
    ("酒店", ENTERPRISE),
    ("银行", ENTERPRISE),
    # Hospitals, parks and bases in this registry are the industry side of a community.
    ("医院", ENTERPRISE),
    ("体育园", ENTERPRISE),
    ("基地", ENTERPRISE),
    # 职业教育集团 / 成人教育集团: groups of schools, not companies (长水教育集团 is a company).
    ("职业教育集团", SCHOOL),
    ("成人教育集团", SCHOOL),
    ("集团", ENTERPRISE),
    ("职业技术大学", VOCATIONAL),
    ("职业大学", VOCATIONAL),
    ("职业技术学院", VOCATIONAL),
    ("职业学院", VOCATIONAL),
    ("高等专科学校", VOCATIONAL),
    ("专科学校", VOCATIONAL),
    ("高等职业学校", VOCATIONAL),
    ("幼专", VOCATIONAL),
    ("高专", VOCATIONAL),
    ("技师学院", SCHOOL),
    ("技工学校", SCHOOL),
    ("技工院校", SCHOOL),
    ("中等专业学校", SCHOOL),
    ("中等职业学校", SCHOOL),
    ("职业高级中学", SCHOOL),
    ("职业中学", SCHOOL),
    ("职业学校", SCHOOL),
    ("中学", SCHOOL),
    ("学校", SCHOOL),
    ("研究会", ASSOCIATION),
    ("研究院", RESEARCH),
    ("研究所", RESEARCH),
    ("研究总院", RESEARCH),
    ("科学院", RESEARCH),
    ("工程院", RESEARCH),
    ("实验室", RESEARCH),
    ("创新中心", RESEARCH),
    ("研究中心", RESEARCH),
    ("大学", UNIVERSITY),
    ("学院", UNIVERSITY),
    ("师大", UNIVERSITY),
    ("校区", UNIVERSITY),
    # Institutes that are neither schools nor companies: 江苏省医疗器械检验所, …总院.
    ("所", RESEARCH),
    ("院", RESEARCH),
    ("协会", ASSOCIATION),
    ("学会", ASSOCIATION),
    ("联合会", ASSOCIATION),
    ("商会", ASSOCIATION),
    ("促进会", ASSOCIATION),
    ("委员会", ASSOCIATION),
    ("理事会", ASSOCIATION),
    ("联盟", ASSOCIATION),
    ("共同体", ASSOCIATION),
    ("委", ASSOCIATION),
    ("政府", ASSOCIATION),
    ("局", ASSOCIATION),
    ("厅", ASSOCIATION),
    ("部", ASSOCIATION),
    ("署", ASSOCIATION),
    ("办公室", ASSOCIATION),
)
# A 中心 is a public body (审评中心 of a 药品监督管理局, 国际教育交流中心) or a research, testing or
# information centre. Government and exchange centres count with the associations.
_CENTRE_PUBLIC = re.compile(r"局|厅|委员会|交流|服务中心|培训中心")
_TRAILING_BRACKETS = re.compile(r"(?:[（(][^（）()]*[）)])+$")


def organization_kind(name: str) -> str:
    """enterprise | university | vocational | school | research | association, from the name.

    Bracketed notes at the end are ignored (北京社会管理职业学院（民政职业大学） is a 职业学院,
    山西文化旅游职业大学（筹） a 职业大学). A name with no recognisable ending is a brand or a
    company's short name (京东, 马蜂窝, 中国移动, 安元科技) and counts as an enterprise; a
    cut-off 职业技术学院 (武汉职业技术) counts as vocational.
    """
    core = _TRAILING_BRACKETS.sub("", name.strip()) or name.strip()
    if core.endswith("中心"):
        return ASSOCIATION if _CENTRE_PUBLIC.search(core) else RESEARCH
    for ending, kind in _KIND_BY_ENDING:
        if core.endswith(ending):
            return kind
    if core.endswith(("职业技术", "职业")):
        return VOCATIONAL
    return ENTERPRISE


# --- industry -------------------------------------------------------------------------------------

INDUSTRY_FALLBACK = "其他"
_DEFAULT_TABLE = Path(__file__).resolve().parent / "data" / "industries.json"

IndustryTable = tuple[tuple[str, tuple[str, ...]], ...]


def load_industry_table(path: str | Path | None = None) -> IndustryTable:
    """The (category, keywords) table, in file order, from ``communities/data/industries.json``
    or ``path``. Raises ValueError if the file is not a list of categories with keywords."""
    if path is None:
        return _default_table()
    return _read_table(Path(path))


@lru_cache(maxsize=1)
def _default_table() -> IndustryTable:
    return _read_table(_DEFAULT_TABLE)


def _read_table(path: Path) -> IndustryTable:
    data = json.loads(path.read_text(encoding="utf-8"))
    categories = data.get("categories") if isinstance(data, dict) else None
    if not isinstance(categories, list) or not categories:
        raise ValueError(f'{path}: expected {{"categories": [...]}}')
    table: list[tuple[str, tuple[str, ...]]] = []
    for item in categories:
        name, keywords = item.get("name"), item.get("keywords")
        if (
            not isinstance(name, str)
            or not name
            or not isinstance(keywords, list)
            or not all(isinstance(k, str) and k for k in keywords)
        ):
            raise ValueError(f"{path}: bad category {item!r}")
        table.append((name, tuple(keywords)))
    return tuple(table)


# Words every community name carries; removed before matching so that a keyword such as 教育 or
# 融合 cannot match the boilerplate.
_BOILERPLATE = re.compile(
    r"产教科?融合(?:发展)?|科教融汇|共同体|共用体|产教联盟|职业教育集团|职教集团|成立大会"
)


def industry(name: str, table: IndustryTable | None = None) -> str:
    """The industry category of a community: the first category in table order one of whose
    keywords occurs in the name; :data:`INDUSTRY_FALLBACK` if none does."""
    text = _BOILERPLATE.sub(" ", name)
    for category, keywords in table if table is not None else load_industry_table():
        if any(keyword in text for keyword in keywords):
            return category
    return INDUSTRY_FALLBACK
