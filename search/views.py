"""The search page, /search/?q=…: read the request, call ``search()``, render."""

from __future__ import annotations

from urllib.parse import quote_plus, urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.pagecache import published_page
from search import params
from search.models import Kind
from search.service import FACETS, KINDS, search

_PARAMS = ("q", "type", *FACETS)
# Values of a facet shown before "更多".
FACET_SHOWN = 5
FACET_LABELS = {
    "issue": "期刊",
    "section": "栏目",
    "source": "来源",
    "place": "地区",
    "tag": "标签",
}


def _link(params: dict[str, str], **changes: str) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


def _facet_links(params: dict[str, str], name: str, values) -> tuple[list[dict], list[dict]]:
    """Each value's link: the current state with that facet set to the value (or unset, when it
    is the chosen one), from page 1. The rest of the state is encoded once for all the values.
    Split into the values shown (the first few and the chosen one) and those under "更多"."""
    rest = urlencode({k: v for k, v in params.items() if v and k not in (name, "page")})
    joined = f"?{rest}&" if rest else "?"
    shown, more = [], []
    for i, v in enumerate(values):
        url = f"?{rest}" if v.selected else f"{joined}{name}={quote_plus(v.value)}"
        (shown if i < FACET_SHOWN or v.selected else more).append({"value": v, "url": url})
    return shown, more


@published_page
def results(request: HttpRequest) -> HttpResponse:
    q = params.query(request.GET.get("q"))
    kind = params.clean(request.GET.get("type"))
    if kind not in KINDS:
        kind = Kind.ARTICLE  # the page shows one kind at a time, articles first
    page = search(
        query=q,
        kinds=[kind],
        filters=params.filters(request.GET),
        page=params.positive_int(request.GET.get("page"), 1),
    )
    # The current state as URL parameters; every link below changes one thing and keeps the rest
    # (a new facet or tab starts again at page 1).
    state = {name: params.clean(request.GET.get(name)) for name in _PARAMS}
    state["q"] = q
    state["type"] = kind
    tabs = [
        {
            "kind": k,
            "label": label,
            "count": page.counts[k],
            "at_least": k in page.lower_bound,
            "url": _link(state, type=k, page=""),
            "selected": k == kind,
        }
        for k, label in Kind.choices
    ]
    facets = [
        {"name": name, "label": FACET_LABELS[name], "parts": _facet_links(state, name, values)}
        for name in FACETS
        if (values := page.facets[name])
    ]
    context = {
        "page": page,
        "q": state["q"],
        "kind": kind,
        "kind_label": Kind(kind).label,
        "tabs": tabs,
        "facets": facets if kind == Kind.ARTICLE else [],
        "chosen_count": sum(v.selected for values in page.facets.values() for v in values),
        "previous_url": _link(state, page=str(page.page - 1)) if page.has_previous else "",
        "next_url": _link(state, page=str(page.page + 1)) if page.has_next else "",
        "searched": bool(q.strip()),
        "first_number": (page.page - 1) * page.per_page + 1,
    }
    return render(request, "search/results.html", context)
