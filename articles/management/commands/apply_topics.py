from django.core.management.base import BaseCommand

from articles.topics import apply_topics_to_all
from core.changes import content_change


class Command(BaseCommand):
    help = "为所有文章重新匹配主题词：只添加从未建议过的标签（检索索引随之更新）。"

    def handle(self, *args, **options):
        with content_change():  # one unit: the index and pages follow once, at the end
            added = apply_topics_to_all()
        self.stdout.write(self.style.SUCCESS(f"主题标签：新增 {added} 个"))
