"""The importer on the real seed issues: structure, content, idempotence, refusals, bad files."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from taggit.models import Tag, TaggedItem

from articles.models import Article, SourceKind, TopicSuggestion
from communities.models import Community, LeadUnit, Organization, Registry
from core.publishing import Status
from importer.load import ImportRefused, import_issue, issue_edited_since_import
from issues.models import Issue, Section
from tests.conftest import ISSUE_01, ISSUE_02, seed_text, seeds_dir
from tests.importer.seeded import delete_issue
from tests.seeds import SEED_ARTICLE, SEED_ARTICLE_SOURCE

pytestmark = pytest.mark.django_db


def db_snapshot() -> dict[str, list]:
    """Every row of every content table, to show that a failed import changed nothing."""
    models = [Issue, Section, Article, Registry, Community, Organization, LeadUnit, Tag, TaggedItem]
    return {m.__name__: sorted(m.objects.values_list(), key=lambda row: row[0]) for m in models}


def issue(year: int, number: int) -> Issue:
    return Issue.objects.get(year=year, number=number)


def article(iss: Issue, number: str) -> Article:
    return iss.articles.select_related("section").get(number=number)


@pytest.mark.parametrize(("number", "tops", "subs", "articles"), [(2, 4, 9, 40), (1, 4, 8, 34)])
def test_structure_counts(number, tops, subs, articles):
    iss = issue(2024, number)
    assert iss.sections.filter(parent__isnull=True).count() == tops
    assert iss.sections.filter(parent__isnull=False).count() == subs
    assert iss.articles.count() == articles


def test_issue_header_and_staff():
    for number in (1, 2):
        iss = issue(2024, number)
        assert (iss.chief_editor, iss.editor, iss.managing_editor) == ("赵顺灵", "刘乐", "邱玉")
        assert iss.title == "职教通讯"
        assert iss.publisher.startswith("广州市白云工商技师学院")
        assert "内部学习资料" in iss.notes
        assert str(iss) == f"2024年第{number:02d}期"


def test_article_titles_sources_and_pages():
    iss = issue(2024, 2)
    a = article(iss, "1.1.1")
    assert (a.source, a.title, a.page_start, a.page_end) == (
        "人力资源社会保障部",
        "广东实施“南粤家政”工程",
        1,
        3,
    )
    assert a.section.number == "1.1" and a.section.title == "重要通知"
    a = article(iss, "1.1.3")
    assert a.source == "教育部"
    assert a.title == "教育部办公厅关于加强市域产教联合体建设的通知"
    assert a.toc_title == "关于加强市域产教联合体建设的通知"
    assert article(iss, "3.1.1").source == ""
    assert article(iss, SEED_ARTICLE).source == SEED_ARTICLE_SOURCE


def test_no_stored_subtitle_restates_the_title():
    """Issue 14: 25 + 5 stored 副标题 said the title again (1.1.3 twice on its page)."""
    fold = re.compile(r"[\s\W_]+")
    restating = [
        (a.issue.number, a.number)
        for a in Article.objects.select_related("issue").exclude(subtitle="")
        if fold.sub("", a.subtitle) in (fold.sub("", a.title), fold.sub("", a.source + a.title))
    ]
    assert restating == []
    iss = issue(2024, 2)
    assert article(iss, "1.1.3").subtitle == ""
    assert article(iss, "4.1.2").subtitle == ""  # 广东省统计局：2024年上半年广东经济运行简况
    assert article(iss, "1.2.2").subtitle.endswith("——代表委员热议如何增强职业教育适应性和吸引力")


def test_the_kind_of_each_label_is_stored():
    kinds = dict(
        Article.objects.filter(issue__year=2024).values_list("source", "source_kind").distinct()
    )
    assert kinds[""] == ""
    assert (kinds["教育部"], kinds["中国教育报"], kinds["中国职业技术教育"]) == ("outlet",) * 3
    assert (kinds["产教融合"], kinds["智慧建筑技术趋势"], kinds["广东省技工院校"]) == ("topic",) * 3
    assert (kinds["山东"], kinds["广州"], kinds["广州科教城"]) == ("place",) * 3
    counts = Article.objects.exclude(source="").values_list("source_kind", flat=True)
    counts = list(counts)
    assert (counts.count("outlet"), counts.count("topic"), counts.count("place")) == (35, 11, 8)


def test_a_topic_label_becomes_a_tag_on_import(settings):
    """By the importer itself, not only by the topic step (left out here): as the vocabulary
    names it (智慧建筑 is an alias of 智能建筑), recorded as suggested so that a removed tag
    stays away."""
    settings.ZHIJIAO_CONTENT_STEPS = [
        s for s in settings.ZHIJIAO_CONTENT_STEPS if "topics" not in s
    ]
    delete_issue(year=2024, number=2)
    import_issue(text=seed_text(ISSUE_02), publish=True)
    iss = issue(2024, 2)
    expected = {
        "2.1.1": {"产教融合"},
        "2.1.2": {"工学一体化"},
        "2.1.3": {"三全五育"},
        "2.1.4": {"教材建设"},
        "2.1.5": {"职普融通"},
        "2.2.1": {"数字经济"},  # 数字科技发展技术
        "2.2.2": {"汽车产业"},  # 汽车行业发展技术
        "2.2.3": {"粤菜"},  # 粤菜产业发展路径
        "2.2.4": {"智能建筑"},  # 智慧建筑技术趋势
    }
    tags = {a.number: set(a.tags.names()) for a in iss.articles.all()}
    assert {n: t for n, t in tags.items() if t} == expected  # outlet and place labels: none
    suggested = TopicSuggestion.objects.filter(article__issue=iss)
    assert suggested.count() == len(expected)
    # A re-import of the unchanged file tags nothing again: a tag an editor removed stays away.
    article(iss, "2.1.2").tags.clear()
    assert import_issue(text=seed_text(ISSUE_02), publish=True).action == "unchanged"
    assert not article(iss, "2.1.2").tags.exists()


def test_correcting_a_kind_is_an_edit_since_import():
    iss = issue(2024, 1)
    a = article(iss, "1.2.4")  # 广东职业技能: a topic by the rules; an editor says otherwise
    assert a.source_kind == SourceKind.TOPIC
    a.source_kind = SourceKind.OUTLET
    a.save()
    assert issue_edited_since_import(iss)
    with pytest.raises(ImportRefused):
        import_issue(text=seed_text(ISSUE_01), publish=True)


def test_printed_order_is_not_number_order():
    iss = issue(2024, 2)
    numbers = list(iss.articles.order_by("position").values_list("number", flat=True))
    assert numbers.index("1.2.8") == numbers.index("1.2.7") - 1
    assert numbers[0] == "1.1.1" and numbers[-1] == "4.3.3"
    assert article(iss, "1.2.8").page_start == 46 and article(iss, "1.2.7").page_start == 50


def test_articles_directly_under_a_top_section():
    iss = issue(2024, 1)
    for number in ("3.1", "3.2", "3.3"):
        a = article(iss, number)
        assert a.section.number == "3" and a.section.parent is None
    assert article(iss, "3.1").page_start == 85


def test_body_boundaries_and_provenance():
    a = article(issue(2024, 2), "1.1.1")
    assert a.body.startswith("<") and "近年来，广东省以实施“南粤家政”工程为切入点" in a.body
    assert "良好氛围。" in a.body[-200:]
    assert "资料来源" not in a.body and "发布日期" not in a.body
    assert "1.1.2" not in a.body and "培养更多大国工匠" not in a.body
    assert a.source_name == "人力资源和社会保障部官网"
    assert a.source_date.isoformat() == "2024-09-27"
    last = article(issue(2024, 2), "4.3.3")
    assert "全国（及省级）行业产教融合共同体" not in last.body  # the appendix is not in the body


def test_registry_appendix():
    registry = Registry.objects.get()
    assert Community.objects.count() == 500
    assert registry.source == "中教全媒体整理"
    assert registry.published.isoformat() == "2024-11-11"
    assert issue(2024, 2).appendix == registry and issue(2024, 1).appendix is None
    first = Community.objects.get(number=1)
    assert first.name == "全国人工智能职业教育产教融合共同体"
    assert [lu.organization.name for lu in first.lead_unit_links.order_by("position")] == [
        "广州科技职业技术大学",
        "广州飞瑞敖电子科技股份有限公司",
        "广东技术师范大学",
    ]
    assert (first.founded_year, first.founded_month) == (2023, 12)
    last = Community.objects.get(number=500)
    assert [o.name for o in last.lead_units.order_by("lead_unit_links__position")] == [
        "甘肃金味德拉面文化产业集团",
        "甘肃农业大学",
        "兰州现代职业学院",
    ]
    assert Community.objects.get(number=196).review_note  # cut off in the source: flagged
    assert Community.objects.filter(number=498, scope="provincial", province="湖北").exists()


def test_reimport_changes_nothing():
    before = db_snapshot()
    for name in (ISSUE_02, ISSUE_01):
        result = import_issue(text=seed_text(name), publish=True)
        assert result.action == "unchanged"
        assert result.registry is None or result.registry.action == "unchanged"
    assert db_snapshot() == before


def test_reimport_after_edit_is_refused_unless_replace():
    iss = issue(2024, 2)
    a = article(iss, "1.1.2")
    a.title = "编辑改过的标题"
    a.save()
    assert issue_edited_since_import(iss)
    before = db_snapshot()
    with pytest.raises(ImportRefused):
        import_issue(text=seed_text(ISSUE_02), publish=True)
    assert db_snapshot() == before
    result = import_issue(text=seed_text(ISSUE_02), publish=True, replace=True)
    assert result.action == "updated"
    assert article(iss, "1.1.2").title == "培养更多大国工匠、能工巧匠、高技能人才"
    assert article(iss, "1.1.2").pk == a.pk  # updated in place, links to the article survive


def test_registry_edit_is_refused_unless_replace():
    community = Community.objects.get(number=7)
    community.name = "改过的名称"
    community.save()
    with pytest.raises(ImportRefused):
        import_issue(text=seed_text(ISSUE_02), publish=True)
    import_issue(text=seed_text(ISSUE_02), publish=True, replace=True)
    assert Community.objects.get(number=7).name != "改过的名称"


def test_changed_file_updates_an_unedited_issue():
    old, new = "为贯彻落实习近平总书记重要批示精神", "为贯彻落实习近平总书记的重要批示精神"
    text = seed_text(ISSUE_01).replace(old, new, 1)
    assert text != seed_text(ISSUE_01)
    result = import_issue(text=text, publish=True)
    assert result.action == "updated"
    assert new in article(issue(2024, 1), "1.1.1").body
    assert not issue_edited_since_import(issue(2024, 1))


def test_fresh_import_as_draft_is_not_published():
    delete_issue(year=2024, number=1)
    result = import_issue(text=seed_text(ISSUE_01))
    assert result.action == "created"
    assert result.issue.status == Status.DRAFT
    assert not Issue.objects.published().filter(pk=result.issue.pk).exists()
    assert not Article.objects.published().filter(issue=result.issue).exists()
    assert Article.objects.filter(issue=result.issue).count() == 34


def test_publish_on_reimport_publishes_a_draft_issue():
    delete_issue(year=2024, number=1)
    import_issue(text=seed_text(ISSUE_01))
    import_issue(text=seed_text(ISSUE_01), publish=True)
    assert Article.objects.published().filter(issue__number=1, issue__year=2024).count() == 34


def test_dry_run_writes_nothing_and_prints_the_structure(tmp_path):
    delete_issue(year=2024, number=1)
    before = db_snapshot()
    out = io.StringIO()
    call_command("import_issue", str(seeds_dir() / ISSUE_01), "--dry-run", stdout=out)
    assert db_snapshot() == before
    printed = out.getvalue()
    assert "3.1 " in printed and "4.3.2" in printed and "试运行" in printed


def test_command_imports_and_reports(tmp_path):
    delete_issue(year=2024, number=1)
    out = io.StringIO()
    call_command("import_issue", str(seeds_dir() / ISSUE_01), "--publish", stdout=out)
    assert "34 篇文章" in out.getvalue()
    assert issue(2024, 1).status == Status.PUBLISHED


def _without_line(text: str, startswith: str) -> str:
    lines = text.splitlines()
    body_start = next(i for i, line in enumerate(lines) if "《职教通讯》说明" in line)
    index = next(
        i
        for i, line in enumerate(lines)
        if i > body_start and line.lstrip("# *").startswith(startswith)
    )
    return "\n".join(lines[:index] + lines[index + 1 :])


BAD_FILES = {
    "empty.txt": b"",
    "blank.txt": b"  \n\n \t\n",
    "binary.txt": bytes(range(256)) * 4,
    "gbk.txt": "职教通讯 2024年第03期 目录".encode("gbk"),
    "no-toc.txt": "职教通讯\n\n2024年第03期\n\n1 职教动态\n\n正文".encode(),
    "unsupported.pdf": b"%PDF-1.7",
    "fake.docx": b"not a zip",
}


@pytest.mark.parametrize("filename", sorted(BAD_FILES))
def test_bad_file_gets_one_line_error_and_changes_nothing(tmp_path, filename):
    path = tmp_path / filename
    path.write_bytes(BAD_FILES[filename])
    before = db_snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_issue", str(path), "--publish", "--replace")
    message = str(excinfo.value)
    assert filename in message and "\n" not in message
    assert db_snapshot() == before


def test_missing_article_heading_names_the_number_and_changes_nothing(tmp_path):
    path = tmp_path / "missing.txt"
    path.write_text(_without_line(seed_text(ISSUE_02), "1.2.3 "), encoding="utf-8")
    before = db_snapshot()
    with pytest.raises(CommandError, match=r"1\.2\.3"):
        call_command("import_issue", str(path), "--replace")
    assert db_snapshot() == before


def test_broken_registry_entry_changes_nothing(tmp_path):
    text = seed_text(ISSUE_02).replace("成立时间：2024年9月", "成立时间：2024年13月", 1)
    path = tmp_path / "bad-registry.txt"
    path.write_text(text, encoding="utf-8")
    before = db_snapshot()
    with pytest.raises(CommandError, match="行"):
        call_command("import_issue", str(path), "--replace")
    assert db_snapshot() == before


def test_unreadable_path_is_a_clean_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_issue", str(tmp_path / "nope.txt"))


def test_docx_of_the_same_shape_imports_the_same(tmp_path):
    import docx

    document = docx.Document()
    for line in seed_text(ISSUE_01).splitlines():
        if line.strip():
            document.add_paragraph(line)
    path = tmp_path / "2024-01.docx"
    document.save(path)
    delete_issue(year=2024, number=1)
    call_command("import_issue", str(path), "--publish", stdout=io.StringIO())
    iss = issue(2024, 1)
    assert iss.articles.count() == 34
    assert iss.sections.filter(parent__isnull=False).count() == 8
    assert article(iss, "3.1").page_start == 85


def test_import_seeds_skips_documents_that_are_not_issues():
    out = io.StringIO()
    call_command("import_seeds", str(seeds_dir()), "--publish", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and all("无变化" in line for line in lines)


# --- every text fits its column (issue 10 of the tracker) ---------------------------------------


def _field(key: str):
    from django.apps import apps

    app, model, name = key.split(".")
    return apps.get_model(app, model)._meta.get_field(name)


def test_parser_length_limits_are_the_models_max_length():
    """The parsers name each column's limit without importing Django; here they meet."""
    from communities.registry import FLAG_NOTES
    from communities.registry import MAX_LENGTH as REGISTRY_MAX_LENGTH
    from importer import load
    from importer.limits import MAX_LENGTH, PAGE_MAX

    for key, limit in {**MAX_LENGTH, **REGISTRY_MAX_LENGTH}.items():
        assert _field(key).max_length == limit, key
    # Every bounded column the loaders write has its limit named, so none can be forgotten.
    written = (
        [f"issues.Issue.{name}" for name in load._ISSUE_FIELDS]
        + ["issues.Section.number", "issues.Section.title", "articles.Article.number"]
        + [f"articles.Article.{name}" for name in load._ARTICLE_FIELDS]
    )
    for key in written:
        if getattr(_field(key), "max_length", None):
            assert key in MAX_LENGTH, key
    for key in ("Registry.title", "Registry.source", "Community.name", "Organization.name"):
        assert f"communities.{key}" in REGISTRY_MAX_LENGTH
    # review_note is made of the flag notes: all of them together still fit.
    assert (
        len("；".join(FLAG_NOTES.values()))
        <= REGISTRY_MAX_LENGTH["communities.Community.review_note"]
    )
    assert PAGE_MAX <= 2_147_483_647  # PositiveIntegerField on PostgreSQL


def _seed_with(old: str, new: str) -> str:
    text = seed_text(ISSUE_02)
    assert old in text, old
    return text.replace(old, new, 1)


TOO_LONG_FOR_THE_DATABASE = {
    "toc-title": ("1.1.2 教育部：", "1.1.2 教育部：" + "长" * 301, "目录中 1.1.2 的标题太长"),
    "section-title": ("1.1 重要通知", "1.1 重要通知" + "长" * 200, "栏目 1.1 的标题太长"),
    "page": (" .....\t4\n", " .....\t3000000000\n", "页码 3000000000 不合理"),
    "community": ("中国兰州牛肉拉面行业产教融合共同体", "中国" + "长" * 200 + "共同体", "名称太长"),
}


@pytest.mark.parametrize("case", sorted(TOO_LONG_FOR_THE_DATABASE))
def test_text_too_long_for_a_column_is_refused_by_the_dry_run_and_changes_nothing(tmp_path, case):
    """It used to pass the dry run and then fail the confirm on PostgreSQL (DataError)."""
    old, new, message = TOO_LONG_FOR_THE_DATABASE[case]
    path = tmp_path / f"{case}.txt"
    path.write_text(_seed_with(old, new), encoding="utf-8")
    before = db_snapshot()
    for options in (["--dry-run"], ["--publish", "--replace"]):
        with pytest.raises(CommandError) as excinfo:
            call_command("import_issue", str(path), *options, stdout=io.StringIO())
        text = str(excinfo.value)
        assert message in text and "\n" not in text and re.search(r"第 \d+ 行", text), text
    assert db_snapshot() == before
