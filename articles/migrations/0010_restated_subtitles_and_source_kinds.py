"""Stored articles as the importer now reads them: no 副标题 that only restates the title, and the
kind of every 来源标签 (来源, 主题 or 地区).

Self-contained on purpose (a migration runs the code of its day): the title fold, the label rules
and the importer's fingerprint are copies of importer/markup.py, importer/labels.py (with the place
names of communities/classify.py) and importer/load.py as they were when this was written.

An issue nobody edited since its import gets the fingerprint of its new state, so that it still
counts as unedited and a re-import of its file is "unchanged" rather than refused; an issue that
was edited stays edited.
"""

import hashlib
import json
import unicodedata

from django.db import migrations

# --- 副标题 that restate the title (importer/markup.py restates_title) ---------------------------


def fold_title(text):
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(c for c in text if unicodedata.category(c)[0] not in "PZC" and not c.isspace())


def restates_title(line, title, label):
    folded = fold_title(line)
    if not folded:
        return False
    return folded == fold_title(title) or bool(label) and folded == fold_title(label + title)


# --- what a label names (importer/labels.py label_kind) --------------------------------------------


def words(text):
    return tuple(text.split())


PROVINCES = words(
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
    "广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门"
)
FULL_NAMES = tuple(f"{p}省" for p in PROVINCES) + words(
    "北京市 天津市 上海市 重庆市 内蒙古自治区 广西壮族自治区 西藏自治区 宁夏回族自治区 "
    "新疆维吾尔自治区 香港特别行政区 澳门特别行政区"
)
CITIES = words(
    "石家庄 太原 呼和浩特 沈阳 长春 哈尔滨 南京 杭州 合肥 福州 南昌 济南 郑州 武汉 长沙 广州 南宁 海口 "
    "成都 贵阳 昆明 拉萨 西安 兰州 西宁 银川 乌鲁木齐 深圳 厦门 宁波 青岛 大连 佛山 东莞 珠海 中山 惠州 "
    "江门 汕头 顺德 番禺 前海 烟台 潍坊 淄博 济宁 日照 威海 临沂 东营 滨州 枣庄 聊城 菏泽 泰安 德州 曲阜 "
    "高密 齐鲁 苏州 无锡 常州 徐州 扬州 南通 盐城 镇江 泰州 连云港 淮安 宿迁 温州 金华 台州 绍兴 嘉兴 "
    "湖州 义乌 余姚 洛阳 开封 南阳 新乡 信阳 许昌 三门峡 林州 长垣 襄阳 宜昌 恩施 鄂州 黄冈 仙桃 十堰 "
    "湘潭 株洲 芜湖 蚌埠 滁州 池州 漳州 宁德 南平 泉州 九江 宜春 新余 赣州 宜宾 绵阳 达州 苍溪 遵义 "
    "安顺 红河 柳州 桂林 渭南 杨凌 延安 天水 武威 酒泉 临夏 甘南 长治 晋城 大同 唐山 保定 松原 乌兰察布 "
    "包头 克拉玛依 石河子 喀什 伊犁 昌吉 阿克苏 博尔塔拉 巴音郭楞 库尔勒 兵团 三亚 中关村"
)
REGIONS = words(
    "粤港澳大湾区 大湾区 长江三角洲 长三角 珠江三角洲 珠三角 京津冀 成渝 泛珠 西部 东部 中部 东北 西北 "
    "西南 华北 华东 华南 华中 黄河 长江 澜湄 南亚热带"
)
PLACES = frozenset(PROVINCES + FULL_NAMES + CITIES + REGIONS)
LONGEST_PLACE = max(map(len, PLACES))
PLACE_QUALIFIERS = ("", "省", "市", "地区")
PLACE_ENDINGS = words("区 县 镇 城 片区 新区 开发区 大学城 科教城")
OUTLET_ENDINGS = words(
    "部 部门 厅 局 委 委员会 办 办公室 署 院 政府 中心 大学 学院 学校 协会 学会 联合会 促进会 "
    "集团 公司 报 社 网 新闻 电视台 电台 杂志 期刊 财经 头条 在线 客户端 公众号"
)
NOT_OUTLET_ENDINGS = words(
    "院校 干部 内部 外部 全部 局部 头部 布局 格局 开局 大局 全局 变局 互联网 物联网 车联网 年报 "
    "简报 通报 公报 汇报 申报 情报 海报 民办 主办 承办 协办 举办 创办"
)
SOURCE_SUFFIXES = (
    "",
    *words("官网 网 网站 官方网站 日报 报 杂志 杂志社 公众号 微信公众号 客户端 新闻"),
)
BOOK_MARKS = "《》〈〉"


def is_place(label):
    for end in range(min(len(label), LONGEST_PLACE), 0, -1):
        if label[:end] in PLACES:
            rest = label[end:]
            return rest in PLACE_QUALIFIERS or rest.endswith(PLACE_ENDINGS) or is_place(rest)
    return False


def names_the_source(label, source_name):
    source = source_name.strip().strip(BOOK_MARKS)
    if not source.startswith(label):
        return False
    return source[len(label) :].strip(BOOK_MARKS + " ") in SOURCE_SUFFIXES


def label_kind(label, source_name):
    label = label.strip()
    if not label:
        return ""
    if label[0] in BOOK_MARKS:
        return "outlet"
    if is_place(label):
        return "place"
    if source_name and names_the_source(label, source_name):
        return "outlet"
    if label.endswith(OUTLET_ENDINGS) and not label.endswith(NOT_OUTLET_ENDINGS):
        return "outlet"
    return "topic"


# --- the importer's fingerprint (importer/load.py _db_state, importer/common.py) ---------------

ISSUE_FIELDS = (
    "title",
    "title_en",
    "school",
    "school_en",
    "publisher",
    "chief_editor",
    "editor",
    "managing_editor",
    "notes",
    "appendix_page",
)
SECTION_FIELDS = ("title", "position", "page")
TEXT_FIELDS = (
    "title",
    "toc_title",
    "subtitle",
    "source",
    "source_name",
    "source_date",
    "source_url",
    "compiled_by",
    "body",
)
ARTICLE_FIELDS_BEFORE = ("position", *TEXT_FIELDS, "page_start", "page_end")
ARTICLE_FIELDS_AFTER = ("position", *TEXT_FIELDS, "source_kind", "page_start", "page_end")


def fingerprint(issue, sections, articles, article_fields):
    state = {
        "issue": {name: getattr(issue, name) for name in ISSUE_FIELDS},
        "sections": {
            s.number: {
                "parent": s.parent.number if s.parent else None,
                **{name: getattr(s, name) for name in SECTION_FIELDS},
            }
            for s in sections
        },
        "articles": {
            a.number: {
                "section": a.section.number,
                **{name: getattr(a, name) for name in article_fields},
            }
            for a in articles
        },
    }
    blob = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def forwards(apps, schema_editor):
    Issue = apps.get_model("issues", "Issue")
    Article = apps.get_model("articles", "Article")
    for issue in Issue.objects.all():
        sections = list(issue.sections.select_related("parent"))
        articles = list(issue.articles.select_related("section"))
        unedited = bool(issue.import_fingerprint) and issue.import_fingerprint == fingerprint(
            issue, sections, articles, ARTICLE_FIELDS_BEFORE
        )
        changed = []
        for article in articles:
            subtitle, kind = article.subtitle, article.source_kind
            if restates_title(article.subtitle, article.title, article.source):
                article.subtitle = ""
            if not article.source_kind:
                article.source_kind = label_kind(article.source, article.source_name)
            if (subtitle, kind) != (article.subtitle, article.source_kind):
                changed.append(article)
        Article.objects.bulk_update(changed, ["subtitle", "source_kind"])
        if unedited:
            issue.import_fingerprint = fingerprint(issue, sections, articles, ARTICLE_FIELDS_AFTER)
            issue.save(update_fields=["import_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_article_source_kind"),
        ("issues", "0006_alter_historicalsection_number_alter_section_number"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
