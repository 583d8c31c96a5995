from django.core.management.base import BaseCommand

from search.indexing import reindex_all, unindexed
from search.models import Kind


class Command(BaseCommand):
    help = (
        "重建全文检索索引（文章、共同体、单位），在一个事务中完成。"
        "用于从备份恢复、批量改动数据库之后，或检查报告索引为空时。重新匹配主题词见 apply_topics。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=(
                "只在有可检索内容而索引中一条也没有时重建"
                "（迁移清空索引之后；部署时在 migrate 后运行）"
            ),
        )

    def handle(self, *args, **options):
        if options["if_empty"] and not unindexed():
            self.stdout.write("检索索引已有内容，无需重建。")
            return
        counts = reindex_all()
        labels = dict(Kind.choices)
        summary = "，".join(f"{labels[k]} {n} 条" for k, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"检索索引已重建：{summary}"))
