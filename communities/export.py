"""CSV and JSON downloads of exactly the list the registry page shows for the same parameters
(every row, not one page). Both are built from the API's representation of a community, so the
three say the same thing."""

from __future__ import annotations

import csv
import json

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

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


def _records(communities: QuerySet, request: HttpRequest) -> list[dict]:
    return CommunitySerializer(communities, many=True, context={"request": request}).data


def _cell(value) -> str:
    text = "、".join(value) if isinstance(value, list) else str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def as_csv(communities: QuerySet, *, request: HttpRequest) -> HttpResponse:
    # UTF-8 with a byte-order mark: Excel on the teachers' PCs reads Chinese correctly only so.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="communities.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([heading for heading, _ in CSV_COLUMNS])
    for record in _records(communities, request):
        writer.writerow([_cell(record[key]) for _, key in CSV_COLUMNS])
    return response


def as_json(filterset: CommunityFilter, *, request: HttpRequest) -> HttpResponse:
    records = _records(filterset.qs, request)
    body = {
        "count": len(records),
        "filters": {**filterset.valid_data, "sort": filterset.chosen_sort},
        "ignored": filterset.ignored,
        "results": records,
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="communities.json"'
    return response
