"""The registry table of the PDF (issue 13, item 11): columns sized from their content, so no
成立时间 wraps and a lead unit is broken only between units."""

from __future__ import annotations

import re

import pytest

from communities.models import Community
from printing.data import lead_unit_parts
from tests.printing.reading import Pdf, _norm

DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月")


@pytest.fixture(scope="module")
def registry_lines(seed_issue_pdf: Pdf) -> list[str]:
    """The text lines of the appendix pages of 2024年第02期's PDF, white space removed."""
    pdf = seed_issue_pdf
    start = next(i for i in pdf.body_pages() if "附录：" in pdf.page_text(i))
    return [
        _norm(line)
        for i in range(start, len(pdf.reader.pages))
        for line in pdf.page_text(i).splitlines()[1:-1]  # no running header, no page number
    ]


def test_lead_units_are_pieces_that_end_with_their_separator():
    assert lead_unit_parts("北京邮电大学、华为技术有限公司；中兴, IBM") == [
        "北京邮电大学、",
        "华为技术有限公司；",
        "中兴,",
        "IBM",
    ]
    assert lead_unit_parts("") == [""]


@pytest.mark.django_db
def test_no_founding_date_wraps(registry_lines):
    dates = [m.groups() for line in registry_lines for m in DATE.finditer(line)]
    expected = [
        (str(y), str(m)) for y, m in Community.objects.values_list("founded_year", "founded_month")
    ]
    assert len(dates) >= len(expected) == 500
    # A wrapped date leaves "2023年12" at the end of a line and "月" alone on the next.
    assert not [line for line in registry_lines if re.search(r"\d{4}年\d{1,2}$", line)]


@pytest.mark.django_db
def test_lead_units_break_only_between_units(registry_lines):
    text = "\n".join(registry_lines)
    broken = []
    for lead in Community.objects.values_list("lead_units_text", flat=True):
        for part in lead_unit_parts(lead):
            unit = _norm(part).rstrip("、，,；;")
            if len(unit) <= 24 and unit not in text:  # a longer unit may be wider than its column
                broken.append(unit)
    assert broken == []
