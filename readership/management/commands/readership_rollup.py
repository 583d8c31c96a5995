"""Aggregate the raw reading events into daily rows and delete what is past its time.

Safe from cron on every app server at once (the runs queue on one locked row); the app runs
the same itself every ZHIJIAO_READERSHIP_ROLLUP_SECONDS when nobody set up cron.
"""

from django.core.management.base import BaseCommand

from readership.counting import flush
from readership.rollup import rollup


class Command(BaseCommand):
    help = "阅读统计：把原始记录汇总为每日统计，并删除过期的记录"

    def handle(self, *args, **options):
        flush()  # this process's own events, if any (a shell that counted something)
        summary = rollup()
        self.stdout.write(
            f"汇总了 {len(summary.days)} 天、{summary.events} 条原始记录；"
            f"删除过期原始记录 {summary.raw_deleted} 条、每日统计 {summary.daily_deleted} 行。"
        )
