"""阅读统计 in the admin: the figures (per issue, section, article, month; CSV for the 年度总结)
and the searches that found nothing. Read-only pages in place of the two models' change lists,
for whoever may view those models."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from issues.models import Issue
from readership import reports
from readership.models import DailyCount, DailySearch
from readership.rollup import last_run, rollup

PERIODS = [("30", "近 30 天"), ("365", "近一年"), ("all", "全部")]


class _ReportAdmin(admin.ModelAdmin):
    template: str

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def _context(self, request: HttpRequest, period: reports.Period, **extra) -> dict:
        today = timezone.localdate()
        years = [str(y) for y in range(today.year, today.year - 3, -1)]
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "period": period,
            "periods": [*PERIODS, *((y, f"{y}年") for y in years)],
            "last_run": last_run(),
            "rollup_minutes": max(1, settings.ZHIJIAO_READERSHIP_ROLLUP_SECONDS // 60),
            **extra,
        }

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            summary = rollup()
            messages.success(
                request, f"已汇总 {len(summary.days)} 天的 {summary.events} 条原始记录。"
            )
            return HttpResponseRedirect(request.get_full_path())
        period = reports.period_from(request.GET.get("period"), timezone.localdate())
        return self.report(request, period)

    def _csv(self, name: str, text: str) -> HttpResponse:
        response = HttpResponse(text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response


@admin.register(DailyCount)
class ReadershipAdmin(_ReportAdmin):
    def report(self, request: HttpRequest, period: reports.Period) -> HttpResponse:
        if request.GET.get("issue"):
            issue = get_object_or_404(Issue, pk=_int(request.GET["issue"]))
            data = reports.issue_report(issue, period)
            return TemplateResponse(
                request,
                "admin/readership/issue.html",
                self._context(
                    request,
                    period,
                    report=data,
                    title=f"阅读统计：{issue.label}",
                    issue_param=f"&issue={issue.pk}",
                ),
            )
        data = reports.overview(period)
        if request.GET.get("format") == "csv":
            return self._csv(
                f"zhijiao-readership-{period.filename}", reports.to_csv(reports.csv_rows(data))
            )
        csv_url = "?" + urlencode({"period": period.param, "format": "csv"})
        return TemplateResponse(
            request,
            "admin/readership/overview.html",
            self._context(request, period, report=data, title="阅读统计", csv_url=csv_url),
        )


@admin.register(DailySearch)
class SearchesAdmin(_ReportAdmin):
    def report(self, request: HttpRequest, period: reports.Period) -> HttpResponse:
        data = reports.search_report(period, few=settings.ZHIJIAO_READERSHIP_FEW_RESULTS)
        # The 素材库's candidates for the same words, for those who may look there.
        sources = ""
        if request.user.has_perm("sources.view_candidate"):
            try:
                sources = reverse("admin:sources_candidate_changelist")
            except NoReverseMatch:
                sources = ""
        for row in (*data.none, *data.few, *data.top):
            row.sources_url = f"{sources}?{urlencode({'q': row.query})}" if sources else ""
            row.search_url = (
                reverse("search:results") + "?" + urlencode({"q": row.query, "type": row.kind})
            )
        return TemplateResponse(
            request,
            "admin/readership/searches.html",
            self._context(request, period, report=data, title="检索记录：读者找什么，缺什么"),
        )


def _int(value: str) -> int:
    return int(value) if value.isdigit() and len(value) < 19 else 0
