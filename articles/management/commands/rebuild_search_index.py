from django.core.management.base import BaseCommand

from articles.search.indexing import reindex_all
from articles.search.models import Kind
from articles.topics import apply_topics_to_all


class Command(BaseCommand):
    help = (
        "重建全文检索索引（文章、共同体、单位），在一个事务中完成。"
        "用于从备份恢复、批量改动数据库之后，或检查报告索引为空时。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--topics",
            action="store_true",
            help="先为所有文章重新匹配主题词（只添加从未建议过的标签），再重建索引",
        )

    def handle(self, *args, topics: bool, **options):
        if topics:
            added = apply_topics_to_all()
            self.stdout.write(f"主题标签：新增 {added} 个")
        counts = reindex_all()
        labels = dict(Kind.choices)
        summary = "，".join(f"{labels[k]} {n} 条" for k, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"检索索引已重建：{summary}"))
