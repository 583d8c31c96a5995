"""What an article's label (the text before the colon of its heading) names: an outlet, a topic or
a place.

Pure Python, no Django. In 职教动态 the label is who published the piece (教育部：…,
中国教育报：…); in 校本研究 it is what the piece is about (产教融合：…, 智慧建筑技术趋势：…); in
实践前沿 and the city pages of 产业前沿 it is where (山东：…, 广州：…). The importer stores the kind
beside the label (``Article.source_kind``, its values are these constants); editors correct
single rows in the admin, so the rules aim to be right for the labels printed in the seed issues
and for names shaped like them:

* a place: a province, city or region of communities/classify.py, alone or with 省/市/地区, or
  such a place followed by what a place is called or by another place (广州科教城, 广东广州);
* an outlet: a name in 《》, the start of the article's own 信息来源 (中国职业技术教育 for
  中国职业技术教育官网, 第一财经 for 《第一财经日报》), or a name ending as organisations and media
  end (部, 厅, 局, 委, 院, 政府, 大学, 报, 社, 网, 新闻, 财经 …);
* anything else is a topic (三全五育, 教材建设, 广东省技工院校 — 院校 is a kind of school, not one).
"""

from __future__ import annotations

from communities.classify import CITIES, PROVINCE_FULL_NAMES, PROVINCES, REGIONS

__all__ = ["KINDS", "OUTLET", "PLACE", "TOPIC", "label_kind"]

OUTLET, TOPIC, PLACE = "outlet", "topic", "place"
KINDS = (OUTLET, TOPIC, PLACE)

_PLACES = frozenset((*PROVINCES, *PROVINCE_FULL_NAMES, *CITIES, *REGIONS))
_LONGEST_PLACE = max(map(len, _PLACES))
# What follows a place name when the whole label is a place.
_PLACE_QUALIFIERS = ("", "省", "市", "地区")
_PLACE_ENDINGS = ("区", "县", "镇", "城", "片区", "新区", "开发区", "大学城", "科教城")

# Longer endings need no entry of their own when a shorter one covers them (日报 by 报).
_OUTLET_ENDINGS = (
    # government and public bodies
    "部",
    "部门",
    "厅",
    "局",
    "委",
    "委员会",
    "办",
    "办公室",
    "署",
    "院",
    "政府",
    "中心",
    # schools, associations, companies
    "大学",
    "学院",
    "学校",
    "协会",
    "学会",
    "联合会",
    "促进会",
    "集团",
    "公司",
    # media
    "报",
    "社",
    "网",
    "新闻",
    "电视台",
    "电台",
    "杂志",
    "期刊",
    "财经",
    "头条",
    "在线",
    "客户端",
    "公众号",
)
# Words that end like an organisation and are none (产业布局, 工业互联网, 基层干部, 统计公报).
_NOT_OUTLET_ENDINGS = (
    "院校",
    "干部",
    "内部",
    "外部",
    "全部",
    "局部",
    "头部",
    "布局",
    "格局",
    "开局",
    "大局",
    "全局",
    "变局",
    "互联网",
    "物联网",
    "车联网",
    "年报",
    "简报",
    "通报",
    "公报",
    "汇报",
    "申报",
    "情报",
    "海报",
    "民办",
    "主办",
    "承办",
    "协办",
    "举办",
    "创办",
)
# What follows an outlet's name in a 信息来源 line (中国职业技术教育官网, 第一财经日报).
_SOURCE_SUFFIXES = (
    "",
    "官网",
    "网",
    "网站",
    "官方网站",
    "日报",
    "报",
    "杂志",
    "杂志社",
    "公众号",
    "微信公众号",
    "客户端",
    "新闻",
)
_BOOK_MARKS = "《》〈〉"


def _is_place(label: str) -> bool:
    """The label starts with a place, and what follows is nothing, 省/市/地区, a place's kind
    (广州科教城) or another place (广东广州)."""
    for end in range(min(len(label), _LONGEST_PLACE), 0, -1):
        if label[:end] in _PLACES:
            rest = label[end:]
            return rest in _PLACE_QUALIFIERS or rest.endswith(_PLACE_ENDINGS) or _is_place(rest)
    return False


def _names_the_source(label: str, source_name: str) -> bool:
    source = source_name.strip().strip(_BOOK_MARKS)
    if not source.startswith(label):
        return False
    return source[len(label) :].strip(_BOOK_MARKS + " ") in _SOURCE_SUFFIXES


def label_kind(label: str, *, source_name: str = "") -> str:
    """OUTLET, TOPIC or PLACE for a label; "" for no label. ``source_name``: the article's own
    信息来源 line, which names the outlet when the label is one."""
    label = label.strip()
    if not label:
        return ""
    if label[0] in _BOOK_MARKS:
        return OUTLET  # 《中国教育报》: a publication
    if _is_place(label):
        return PLACE  # before the 信息来源 test: 广州 is no outlet because 广州统计局 is one
    if source_name and _names_the_source(label, source_name):
        return OUTLET
    if label.endswith(_OUTLET_ENDINGS) and not label.endswith(_NOT_OUTLET_ENDINGS):
        return OUTLET
    return TOPIC
