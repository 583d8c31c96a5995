"""CSV and JSON downloads of exactly the list the registry page shows for the same parameters
(every row, not one page). Both are built from the API's representation of a community, so the
three say the same thing; both are named after the filter that made them and say it inside, so a
file found later in the downloads folder still tells what it lists."""

from __future__ import annotations

import csv
import json
import re

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from communities.api import CommunitySerializer
from communities.filters import CommunityFilter

# (column heading, key in the API representation); lists are joined with 、 as printed.
CSV_COLUMNS = [
    ("序号", "number"),
    ("名称", "name"),
    ("牵头单位", "lead_units"),
    ("成立时间", "founded"),
    ("范围", "scope_label"),
    ("省份", "province"),
    ("牵头单位所在省份", "lead_provinces"),
    ("行业类别", "industry"),
    ("链接", "url"),
]


TITLE = "行业产教融合共同体"
# Characters no file name may hold on the teachers' Windows PCs, and whitespace.
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\s]+')
_NAME_MAX = 80


def chosen_filters(filterset: CommunityFilter) -> list[tuple[str, str]]:
    """(label, value as the page shows it) for each filter applied, in the form's order."""
    chosen = filterset.valid_data
    shown = []
    for name, field in filterset.form.fields.items():
        if name not in chosen:
            continue
        value = chosen[name]
        choices = dict(getattr(field, "choices", ()))
        label = choices.get(value, choices.get(str(value), value))
        if name == "founded_year":
            label = f"{value}年"
        shown.append((str(filterset.filters[name].label), str(label)))
    return shown


def download_name(filterset: CommunityFilter, extension: str) -> str:
    """行业产教融合共同体-广东-信息技术.csv: the title, then each chosen value."""
    parts = [TITLE, *(value for _, value in chosen_filters(filterset))]
    stem = "-".join(_UNSAFE_IN_NAME.sub("_", part).strip("_.") or "_" for part in parts)
    return f"{stem[:_NAME_MAX].rstrip('-_.')}.{extension}"


def describe(filterset: CommunityFilter, count: int) -> str:
    """The filter in words, as the file's own first line says it."""
    chosen = "；".join(f"{label}：{value}" for label, value in chosen_filters(filterset))
    return f"{TITLE}名录，筛选：{chosen or '全部'}，共 {count} 个"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    # RFC 6266 with filename*: browsers save the Chinese name, old ones the ASCII fallback.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _records(communities: QuerySet, request: HttpRequest) -> list[dict]:
    return CommunitySerializer(communities, many=True, context={"request": request}).data


def _cell(value) -> str:
    text = "、".join(value) if isinstance(value, list) else str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def as_csv(filterset: CommunityFilter, *, request: HttpRequest) -> HttpResponse:
    records = _records(filterset.qs, request)
    # UTF-8 with a byte-order mark: Excel on the teachers' PCs reads Chinese correctly only so.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response.write("\ufeff")
    writer = csv.writer(response)
    # A first comment row with the filter; the column headings follow it.
    writer.writerow([f"# {describe(filterset, len(records))}"])
    writer.writerow([heading for heading, _ in CSV_COLUMNS])
    for record in records:
        writer.writerow([_cell(record[key]) for _, key in CSV_COLUMNS])
    return _attachment(response, download_name(filterset, "csv"))


def as_json(filterset: CommunityFilter, *, request: HttpRequest) -> HttpResponse:
    records = _records(filterset.qs, request)
    body = {
        "count": len(records),
        "filter": describe(filterset, len(records)),
        "filters": {**filterset.valid_data, "sort": filterset.chosen_sort},
        "ignored": filterset.ignored,
        "results": records,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json"
    )
    return _attachment(response, download_name(filterset, "json"))
