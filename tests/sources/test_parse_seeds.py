"""The source-document parser on the three real documents, article by article; no Django needed.

Run alone with ``pytest -p no:django --noconftest tests/sources/test_parse_seeds.py``.
"""

from __future__ import annotations

import re

import pytest

from importer.markup import Block as MarkupBlock
from importer.provenance import provenance_line
from sources.parse import Candidate, SourceDocument, parse_source
from tests.seeds import seed_text
from tests.sources.seedfiles import NEWSLETTER, POLICY, UNIVERSITY

URL = re.compile(r"https?://|www\.", re.IGNORECASE)
PAGE_NUMBER = re.compile(r"^\s*[-—]?\s*\d{1,3}\s*[-—]?\s*$")


@pytest.fixture(scope="module")
def policy() -> SourceDocument:
    return parse_source(seed_text(POLICY))


@pytest.fixture(scope="module")
def newsletter() -> SourceDocument:
    return parse_source(seed_text(NEWSLETTER))


@pytest.fixture(scope="module")
def university() -> SourceDocument:
    return parse_source(seed_text(UNIVERSITY))


def body_text(article: Candidate) -> str:
    return "\n".join(article.paragraphs)


def prose(article: Candidate) -> list[str]:
    return [b.text for b in article.blocks if b.kind == "paragraph"]


def check(article: Candidate, expected: tuple) -> None:
    column, title, subtitle, source, date, compiled_by, author, first, last = expected
    assert (article.column, article.title, article.subtitle) == (column, title, subtitle)
    assert (article.source, article.source_date) == (source, date)
    assert (article.compiled_by, article.author) == (compiled_by, author)
    paragraphs = prose(article)
    assert paragraphs[0].startswith(first), paragraphs[0][:40]
    assert paragraphs[-1].endswith(last), paragraphs[-1][-40:]


# --- 003: another institution's newsletter ------------------------------------------------------

N = "中国教育报"
NEWSLETTER_ARTICLES = [
    ("要闻纵览", "教育部办公厅印发《关于开展市域产教联合体建设的通知》", None, "教育部", None,
     "陆洁琰", None, "《通知》指出，联合体依托的产业园区总产值在本省份位于前列",
     "遴选确定首批市域产教联合体培育名单。"),
    ("要闻纵览", "《2022 中国职业教育质量年度报告》发布 职业教育进入提质培优增值赋能快车道", None,
     N, None, "陆洁琰", None, "报告显示，职业本科教育稳步发展、初具规模",
     "深化职业教育多边合作机制。"),
    ("高层视点", "任友群：深化现代职业教育体系建设改革，打造职业教育“良匠之师”", None,
     "中国职业技术教育", None, "陆洁琰", "任友群，教育部教师工作司司长",
     "师德师风是衡量教师能力素质的第一标准", "使职业教育教师成为让人羡慕的职业。"),
    ("专家看台", "王新波：把握三个关键词建设市域产教联合体", None, N, None, "陆洁琰",
     "王新波，中国教育科学研究院职业教育与继续教育研究所所长",
     "其一，产教联合体是区域性、产业性的", "三方共同构成牵头单位。"),
    ("专家看台", "贺星岳：增强适应性，推动职教高质量发展", None, N, None, "陆洁琰",
     "贺星岳，浙江机电职业技术学院院长", "首先是经济状态与产业体系发生深刻变化。",
     "构建更加紧密的发展共同体。"),
    ("专家看台", "刘昕：构建“四链”融合职业教育新生态", None, N, None, "陆洁琰",
     "刘昕，山东省职业教育和产业人才研究院院长", "教育链与人才链的融合。",
     "深厚广博的创新底蕴。"),
    ("别有洞天", "温州职院：以职教共同体建设助推高质量发展", None, N, None, "陆洁琰", None,
     "院校联合区域，实现学城联动。", "提升“双师”素质。"),
    ("别有洞天", "金华职院：“五员”引领，为“两个先行”贡献力量", None, N, None, "陆洁琰", None,
     "学院党委按照“全员参与、全程管理、全面服务”的要求", "为学生的职场之路保驾护航。"),
    ("别有洞天", "常州机电：打造基于生命周期的智慧服务新生态", None, None, None, None, None,
     "实施教师信息技术应用能力提升工程", "提升监管力度和治理效能。"),
]  # fmt: skip


def test_newsletter_has_nine_articles_in_four_columns(newsletter):
    assert newsletter.kind == "newsletter"
    assert len(newsletter.articles) == 9
    columns = [a.column for a in newsletter.articles]
    assert list(dict.fromkeys(columns)) == ["要闻纵览", "高层视点", "专家看台", "别有洞天"]


@pytest.mark.parametrize("index", range(9))
def test_newsletter_article(newsletter, index):
    check(newsletter.articles[index], NEWSLETTER_ARTICLES[index])


def test_newsletter_editors_note_is_the_documents(newsletter):
    assert newsletter.editors_note.startswith(
        "近日，教育部官网发布了《教育部办公厅关于开展市域产教"
    )
    assert newsletter.editors_note.endswith("到 2025 年共建设 150 家左右的市域产教联合体。")
    assert "编者按" not in body_text(newsletter.articles[0])


def test_newsletter_every_article_but_the_last_ends_with_source_and_compiler(newsletter):
    *others, last = newsletter.articles
    assert all(a.source and a.compiled_by == "陆洁琰" for a in others)
    assert last.source is None and last.compiled_by is None


def test_newsletter_lines_cut_at_26_characters_are_paragraphs_again(newsletter):
    first = prose(newsletter.articles[0])
    assert len(first) == 4  # 《通知》指出 / 强调 / 要求 / 明确
    assert first[0].endswith("促进教育链、人才链与产业链、创新链紧密结合。")
    # no space where a line was cut between two Chinese characters, nor at a page start
    assert "达到产权明晰、组织完备" in first[1]
    assert "技术技能人才按照国家有关规定给予表彰奖励。" in first[2]


def test_newsletter_title_cut_over_two_lines_is_one(newsletter):
    assert newsletter.articles[2].title.endswith("打造职业教育“良匠之师”")
    assert [b.text for b in newsletter.articles[2].blocks if b.kind == "heading"][:2] == [
        "一、加强职业教育教师师德师风建设",
        "二、完善职业教育教师培养体系",
    ]


def test_newsletter_page_number_between_paragraphs_leaves(newsletter):
    last = newsletter.articles[-1]
    paragraphs = prose(last)
    assert paragraphs[1].endswith("等多种类型的创新型学习空间。")
    assert paragraphs[2].startswith("建设“智慧教伴、智慧学伴、智慧伙伴”，实现服务供给精准化。")


def test_newsletter_sub_headings_stay_headings(newsletter):
    headings = [b.text for b in newsletter.articles[3].blocks if b.kind == "heading"]
    assert headings == ["关键词 1 市域", "关键词 2 产教", "关键词 3 联合"]
    headings = [b.text for b in newsletter.articles[1].blocks if b.kind == "heading"]
    assert headings[0] == "职业教育服务贡献能力显著提升"
    assert "政策环境持续向好 经费保障有待加强" in headings


# --- 004: a vocational university's newsletter --------------------------------------------------

RENMIN = "重庆市人民政府网"
UNIVERSITY_ARTICLES = [
    ("新闻政策", "教育部：全国本科层次职业大学增至 51 所",
     "职业本科大学，越来越火了！职业本科教育大变革来了！", "职教前沿", "2024-06-16", None, None,
     "2023 年 3 月 23 日，教育部召开的新闻发布会上发布一组数字", "可以说学位的竞争十分激烈。"),
    ("新闻政策", "全市民办高等教育健康发展调研座谈会召开", None, "重庆市教育委员会网",
     "2024-05-29", None, None, "5 月 29 日，重庆市民办高等教育健康发展调研座谈会",
     "市教委相关业务处室负责人参加会议。"),
    ("新闻政策", "我市 46 所高职院校与 211 个境外教育部门建立合作关系", None, RENMIN,
     "2024-06-22", None, None, "6 月 21 日，在位于印度尼西亚苏门答腊岛的欧迪湖鲁电站",
     "”市教委相关负责人说。"),
    ("新闻政策", "科学城“职海扬帆”就创服务站，助力青年学子筑梦未来", None, RENMIN,
     "2024-06-21", None, None, "又是一年毕业季，广大学子又到了就业找工作的时节。",
     "都能感受到服务站的温暖和关怀。"),
    ("评建动态", "学校编制发布《本科层次职业学校本科教学工作合格评估评建工作手册》", None, None,
     None, None, None, "为进一步加强职业教育本科层次的教学质量保障体系建设",
     "为评估工作的顺利进行奠定了基础。"),
    ("评建动态", "校领导带队赴南通理工学院参加全国民办本科高校合格评估交流培训会", None, None,
     None, None, None, "5 月 13 日，学校党委书记徐益和校长助理周进民赴南通理工学院",
     "为实现我国高等教育的健康有序发展做出更大的贡献。"),
    ("评建动态", "我校召开职教本科教学合格评估建设工作启动会暨专题培训会", None, None, None,
     None, None, "为推动学校职教本科教育内涵式发展", "为学校建设合格职教本科添砖加瓦。"),
    ("评建动态", "我校召开职教本科专业建设专题培训会", None, None, None, None, None,
     "为推动学校职教本科试点工作", "为学生传业解惑。"),
    ("评建动态", "学校召开职教本科教学工作合格评估评建工作第一次推进会", None, None, None, None,
     None, "6 月 18 日上午，职教本科教学工作合格评估评建工作第一次推进会",
     "对学校评建工作的顺利推进奠定了良好基础。"),
    ("评建动态", "我校召开办学定位研讨会", None, None, None, None, None,
     "6 月 12 日下午，学校办学定位研讨会在办公楼 A201 会议室召开。", "并形成了初步意见。"),
    ("评建动态", "我校智能制造专业群教师团队入选第五批重庆市高校黄大年式教师团队", None, None,
     None, None, None, "重庆市教委公布了第五批重庆市高校黄大年式教师团队名单。",
     "为培养更多优秀人才做出更大贡献。"),
    ("评建动态", "我校召开 2024 年校级重点专业及重点课程建设工作推进会", None, None, None, None,
     None, "为持续推进校级重点专业及重点课程建设", "为学校提高人才培养质量作出积极贡献。"),
    ("评建动态", "提升课程建设能力，促进经验成果转化", "学校举办校级重点课程建设专题培训会", None,
     None, None, None, "为深入贯彻落实国务院《国家职业教育改革实施方案》文件精神",
     "进一步提高人才培养质量。"),
    ("评建动态", "我校召开基于 OBE 理念的人才培养方案编制培训会", None, None, None, None, None,
     "为深化教育教学改革，不断提升人才培养质量", "为培养更多高层次技术技能人才而努力。"),
    ("他山之石", "2024 年度十大教育热点前瞻", None, N, "2024-02-22", None,
     "周洪宇：长江教育研究院院长、兼任华中师范大学国家教育治理研究院院长；"
     "邢欢：华中师范大学教育学院副教授，刘柳：华中师范大学教育学院",
     "2023 年是全面贯彻党的二十大精神的开局之年", "为建设教育强国打下坚实基础。"),
    ("他山之石", "广东省人民政府办公厅印发广东省关于人工智能赋能千行百业若干措施的通知", None,
     "广东省人民政府网", None, None, None, "粤办函〔2024〕88 号",
     "组织和引进国际高水平人工智能学术会议。"),
    ("他山之石",
     "海南省发展和改革委员会等部门关于印发《海南省支持职业教育产教融合赋能提升十条措施》的通知",
     None, "海南省发展和改革委员会", None, None, None, "琼发改社会〔2024〕491 号",
     "依法对信用状况良好的企业实施激励措施。 | 省发展改革委 | "
     "省营商环境建设厅、省教育厅，各市、县、自治县人民政府"),
    ("他山之石",
     "海南科技职业大学委托项目《职业本科教学工作合格评估实现路径、方法和对策研究》开题",
     None, "海南科技职业大学", None, None, None,
     "2024 年 2 月 26 日，海南科技职业大学评建专项研究委托项目",
     "更大力度保障学校本科教学工作合格评估的圆满完成。"),
    ("他山之石", "郑州铁路职业技术学院：打造数字化教学资源赋能专业升级改造", None, N,
     "2024-06-17", None, "李福胜 可心萌 宋颖", "教学资源的建设与应用是职业教育高水平专业建设",
     "为产业升级和经济社会发展持续增势赋能。"),
    ("他山之石", "浙江纺织服装职业技术学院：聚焦“双师型”教师培养 提升教育教学质量", None,
     "光明日报", "2024-06-25", None, "章春苗", "“双师型”教师具有产业和教育的双重资质",
     "为行业特色高水平“双师型”教师队伍建设提供宝贵经验。"),
]  # fmt: skip


def test_university_has_twenty_articles_in_three_columns(university):
    assert university.kind == "newsletter"
    assert len(university.articles) == 20
    columns = [a.column for a in university.articles]
    assert columns == ["新闻政策"] * 4 + ["评建动态"] * 10 + ["他山之石"] * 6


@pytest.mark.parametrize("index", range(20))
def test_university_article(university, index):
    check(university.articles[index], UNIVERSITY_ARTICLES[index])


def test_university_table_of_51_universities_survives_56_url_lines(university):
    first = university.articles[0]
    tables = [b for b in first.blocks if b.kind == "table"]
    assert len(tables) == 3
    universities = tables[0].rows
    assert universities[0] == ("序号", "名称", "省份", "所在地", "备注")
    assert [row[0] for row in universities[1:]] == [str(n) for n in range(1, 52)]
    assert universities[1] == ("1", "民政职业大学", "北京市", "北京市", "民政部")
    assert universities[3] == ("3", "河北工业职业技术大学", "河北省", "石家庄市", "-")
    # the province cell spans rows in print: the value above fills the row
    assert universities[4] == ("4", "河北科技工程职业技术大学", "河北省", "邢台市", "-")
    assert universities[8] == ("8", "广西城市职业大学", "广西壮族自治区", "崇左市", "民办")
    # after the 56 URL lines and the header printed again on the next page
    assert universities[24] == ("24", "景德镇艺术职业大学", "江西省", "景德镇市", "民办")
    assert universities[45] == ("45", "新疆农业职业技术大学", "新疆维吾尔自治区", "昌吉市", "-")
    assert universities[51] == ("51", "青海职业技术大学", "青海省", "西宁市", "-")


def test_university_tables_with_cells_wrapped_over_lines(university):
    _, announced, approved = [b for b in university.articles[0].blocks if b.kind == "table"]
    assert announced.rows[0] == (
        "教育部公示时间", "升格后学校名称", "建校基础", "办学性质", "主管部门", "是否双高",
    )  # fmt: skip
    assert len(announced.rows) == 17
    assert len(approved.rows) == 36
    assert approved.rows[20][:4] == (
        "20",
        "2020 年 6 月 10 日",
        "浙江广厦建设职业技术大学",
        "浙江广厦建设职业技术",
    )
    assert (
        approved.rows[22][3]
        == "山西大学商务学院、山西交通职业技术学院、山西建筑职业技术学院共同组建"
    )
    assert approved.rows[29] == (
        "29",
        "2021 年 5 月",
        "兰州石化职业技术大学",
        "兰州石化职业技术学院",
        "公办",
        "甘肃省",
    )
    assert approved.rows[31][:3] == ("31", "2021 年 5 月 14 日", "湖南软件职业技术大学")


def test_university_sentence_cut_by_urls_and_page_numbers_is_joined(university):
    first = body_text(university.articles[0])
    assert "纳入公务员招考范围……”2022 年 6 月初，北京市发布的" in first
    twelfth = body_text(university.articles[11])
    assert "充分体现人才培养目标、教学目标，确保建设内容与学生发展相契合。" in twelfth  # page 39


def test_university_captions_of_lost_pictures_leave(university):
    everything = "\n".join(body_text(a) for a in university.articles)
    for caption in ("学校供图", "受访单位", "截至 2024 年 5 月 15 日）", "高新区大学生服务站信息",
                    "史小花（左一）", "项目组成员进行探讨", "国家学员进行现场教学"):  # fmt: skip
        assert caption not in everything


def test_university_notice_keeps_its_signature_and_outline(university):
    notice = university.articles[16]
    assert [b.kind for b in notice.blocks[3:12]] == ["paragraph"] * 9  # 8 signatories, the date
    assert notice.blocks[11].text == "2024 年 5 月 13 日"
    headings = [b.text for b in notice.blocks if b.kind == "heading"]
    assert headings[0] == "海南省支持职业教育产教融合赋能提升十条措施"
    assert "一、建设产教融合试点城市。" in headings
    assert "附件：《海南省支持职业教育产教融合赋能提升十条措施》任务分解表" in headings
    start = next(i for i, b in enumerate(notice.blocks) if b.text.startswith("附件："))
    rows = [b.text for b in notice.blocks[start + 1 :]]
    assert rows[0] == "序号 | 重点 | 任务 | 具体举措 牵头单位 责任单位 | 备注"
    assert rows[1] == "一 | 建设产教融合试点城市"
    numbers = [int(row.split(".", 1)[0]) for row in rows if row.split(".", 1)[0].isdigit()]
    assert numbers == list(range(1, 37))  # measures 1–36, one a row
    assert not any("序号" in row for row in rows[1:])  # the header printed on every page
    assert rows[-1].startswith("36.加大产教融合型企业信用信息归集力度")


def test_university_two_line_sub_headings_are_one(university):
    headings = [b.text for b in university.articles[18].blocks if b.kind == "heading"]
    assert headings == ["精准对接产业 创新教学资源供给", "激发融合动能 提升资源应用水平",
                        "彰显社会职责 推动优质资源共享"]  # fmt: skip


# --- 002: a policy document ---------------------------------------------------------------------


def test_policy_is_one_document_with_its_outline(policy):
    assert policy.kind == "policy"
    assert len(policy.articles) == 1
    plan = policy.articles[0]
    assert (
        policy.title
        == plan.title
        == ("进一步深化现代职业教育体系建设改革服务湾区支撑产业助力实体经济发展实施方案")
    )
    headings = [b for b in plan.blocks if b.kind == "heading"]
    majors = [h.text for h in headings if h.level == 3]
    assert majors[:6] == ["一、总体要求", "二、建强市域产教联合体和行业产教融合共同体",
                          "三、打造产科教一体化发展示范城", "四、实施服务发展四大专项行动",
                          "五、提升职业学校关键办学能力", "六、组织保障"]  # fmt: skip
    assert majors[6:] == ["附：广东省工作任务清单"]
    minors = [h.text for h in headings if h.level == 4]
    assert len(minors) == 19
    assert minors[0] == "（一）聚焦先进制造业领域做实市域产教联合体。"
    assert minors[1] == "（二）聚焦重点产业做优行业产教融合共同体。"  # ** bold markers gone
    assert minors[10] == "（十一）打造及时吸纳行业企业最新技术的精品课程。"
    assert minors[18] == "（十九）加大政策支持力度。"


def test_policy_paragraphs_cut_by_page_breaks_are_whole(policy):
    text = body_text(policy.articles[0])
    for joined in ("大力培养大国工匠、能工巧匠、高技能人才。通过部省共同努力",
                   "探索股份制、混合所有制改革。佛山、顺德高新技术产业园区牵头",
                   "重点培养国产工业软件应用人才。", "对接教育培训、科技研发、信创",
                   "建设广东职业教育智慧教育平台",
                   "推进“学历证书+若干职业技能等级证书”制度试点"):  # fmt: skip
        assert joined in text
    assert "**" not in text


def test_policy_task_table(policy):
    (table,) = [b for b in policy.articles[0].blocks if b.kind == "table"]
    assert table.rows[0] == ("序号", "工作任务内容", "责任单位")
    assert [row[0] for row in table.rows[1:]] == [str(n) for n in range(1, 19)]
    # row 10 went on after a page break and the header printed again
    assert table.rows[10][2].endswith(
        "省卫生健康委、省广电局、省体育局和各地级以上市人民政府按职责分工负责"
    )


# --- all three ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=[POLICY, NEWSLETTER, UNIVERSITY])
def document(request) -> SourceDocument:
    return parse_source(seed_text(request.param))


def test_no_url_page_number_or_provenance_left_in_a_body(document):
    for article in document.articles:
        for text in article.paragraphs:
            for line in text.split("\n"):
                assert not URL.search(line), line
                assert not PAGE_NUMBER.match(line), line
                assert provenance_line(MarkupBlock("para", 0, text=line)) is None, line


def test_body_html_is_escaped_and_simple(document):
    for article in document.articles:
        html = article.body_html
        assert set(re.findall(r"</?([a-z0-9]+)", html)) <= {
            "p", "h3", "h4", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
        }  # fmt: skip
        assert html.count("<p>") + html.count("<h3>") + html.count("<h4>") + html.count(
            "<table>"
        ) == len(article.blocks)


def test_paragraphs_follow_blocks(document):
    for article in document.articles:
        assert len(article.paragraphs) == len(article.blocks)
        assert all(p.strip() for p in article.paragraphs)
