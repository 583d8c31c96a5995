"""The public pages of articles: one article, and lists across issues (section, source, place,
tag)."""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from taggit.models import Tag

from articles import citation, listings, wechat
from articles.mentions import mentions_of
from articles.models import Article, Attachment, SourceKind
from articles.related import related_articles
from articles.sanitize import for_reading
from articles.uploads import shows_inline
from core.links import reverse
from core.pagecache import published_page
from core.publishing import can_preview, is_visible

PER_PAGE = 20
# Longer than any stored title, source, tag or number: not worth a query.
MAX_NAME = 300


def _name(value: str) -> str:
    """A name from the URL, or 404 for one no row can have (PostgreSQL also rejects NUL).

    Numbers need no such guard: their URL patterns match only what a row can hold
    (core/converters.py)."""
    if "\x00" in value or len(value) > MAX_NAME:
        raise Http404("没有这样的名称")
    return value


def _public(article: Article) -> bool:
    """Whether the public sees the article, asked of the row and its issue as read (the rule of
    ``published()``)."""
    now = timezone.now()
    return is_visible(article, now) and is_visible(article.issue, now)


def _viewable_article(request: HttpRequest, year: int, number: int, article: str) -> Article:
    """The article at that address with its issue and section (and the section's parent), if
    the reader may open it: one query. Whether the public may see it is checked on the row read
    (``is_visible``, the rule of ``published()``), which costs less than its conditions in SQL."""
    found = (
        Article.objects.select_related("issue", "section", "section__parent")
        .filter(
            issue__year=year,
            issue__number=number,
            number=article,  # 1.1.1-shaped: the URL pattern took nothing else
        )
        .order_by()[:1]
    )
    obj = next(iter(found), None)
    if obj is None:
        raise Http404("没有这篇文章")
    if not can_preview(request.user, Article) and not _public(obj):
        raise Http404("没有这篇文章")
    return obj


def _label_url(article: Article, tags: list[Tag]) -> str:
    """Where an article's 来源标签 leads: the source's list, the place's list, or the tag of the
    same name (a topic label whose tag is named otherwise, or was removed, leads nowhere)."""
    label, kind = article.source, article.source_kind
    if not label:
        return ""
    if kind == SourceKind.PLACE:
        return reverse("articles:place", args=[label])
    if kind == SourceKind.TOPIC:
        tag = next((t for t in tags if t.name == label), None)
        return reverse("articles:tag", args=[tag.slug]) if tag else ""
    return reverse("articles:source", args=[label])


@published_page
def article_detail(request: HttpRequest, year: int, number: int, article: str) -> HttpResponse:
    obj = _viewable_article(request, year, number, article)
    # The page and the label's link read the same list.
    tags = listings.tags_of(obj)
    return render(
        request,
        "articles/detail.html",
        {
            "article": obj,
            "tags": tags,
            "label_url": _label_url(obj, tags),
            "neighbours": listings.neighbours(obj),
            "related": related_articles(obj),
            "mentions": mentions_of(obj),
            # Only editors get here with what the public cannot see.
            "preview": not _public(obj),
            "citation": citation.gbt7714(obj, accessed=timezone.localdate()),
            "body": for_reading(obj.body),
        },
    )


def article_wechat(request: HttpRequest, year: int, number: int, article: str) -> HttpResponse:
    obj = _viewable_article(request, year, number, article)
    copy = wechat.article_copy(obj, base_url=request.build_absolute_uri("/"))
    return render(
        request,
        "articles/wechat.html",
        {"copy": copy, "title": obj.title, "back": obj.get_absolute_url(), "article": obj},
    )


CITATION_FORMATS = {
    "ris": (citation.ris, "application/x-research-info-systems"),
    "bib": (citation.bibtex, "application/x-bibtex"),
}


def article_citation(
    request: HttpRequest, year: int, number: int, article: str, kind: str
) -> HttpResponse:
    obj = _viewable_article(request, year, number, article)
    render_as, content_type = CITATION_FORMATS[kind]
    text = render_as(
        obj,
        url=request.build_absolute_uri(obj.get_absolute_url()),
        accessed=timezone.localdate(),
    )
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        True, f"{obj.issue.label} {obj.number}.{kind}"
    )
    return response


def _listing_page(request: HttpRequest, articles: QuerySet, context: dict) -> HttpResponse:
    page = Paginator(articles, PER_PAGE).get_page(request.GET.get("page"))
    if not page.paginator.count:
        # Nothing published under that name: as if the name did not exist (drafts stay unseen).
        raise Http404("没有这样的文章列表")
    return render(request, "articles/list.html", {"page": page, **context})


@published_page
def by_section(request: HttpRequest, title: str) -> HttpResponse:
    return _listing_page(
        request,
        listings.in_section(_name(title)),
        {"kind": "栏目", "name": title, "show_section": False},
    )


@published_page
def by_source(request: HttpRequest, source: str) -> HttpResponse:
    articles = listings.from_source(_name(source))
    try:
        return _listing_page(request, articles, {"kind": "来源", "name": source})
    except Http404:
        # Topic and place labels were once listed as sources: their old links lead on.
        kind = listings.label_kind(source)
        if kind == SourceKind.PLACE:
            return redirect("articles:place", place=source)
        tag = Tag.objects.filter(name=source).first() if kind == SourceKind.TOPIC else None
        if tag is None:
            raise
        return redirect("articles:tag", slug=tag.slug)


@published_page
def by_place(request: HttpRequest, place: str) -> HttpResponse:
    return _listing_page(request, listings.in_place(_name(place)), {"kind": "地区", "name": place})


@published_page
def by_tag(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=_name(slug))
    return _listing_page(request, listings.tagged(tag), {"kind": "标签", "name": tag.name})


@published_page
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "articles/index.html", listings.index_groups())


def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An article's image or document, if the reader may see the article, with safe headers."""
    item = get_object_or_404(
        Attachment.objects.filter(article__in=Article.objects.viewable_by(request.user)), pk=pk
    )
    try:
        handle = item.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件不存在") from None
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=not shows_inline(item.content_type),
        filename=item.original_name or None,
    )
    # The type was checked by content on upload; never let a browser guess another one, and a
    # file opened directly runs nothing.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
