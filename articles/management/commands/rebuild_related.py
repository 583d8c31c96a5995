from django.core.management.base import BaseCommand
from django.db import transaction

from articles.related import PART, refresh_related, unwritten
from core import kept
from core.pagecache import retire_pages


class Command(BaseCommand):
    help = (
        "重新计算每篇已发布文章的相关文章列表，在一个事务中完成。"
        "内容每次变更时列表会自动更新；用于新版本建表之后或从旧备份恢复之后。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="只在有已发布文章而一条列表也没有时计算（部署时在 migrate 后运行）",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and not unwritten():
            self.stdout.write("无需重算：相关文章列表已有内容，或还没有已发布的文章。")
            return
        with transaction.atomic():
            written = refresh_related()
            # Every process reads the lists again, and renders the pages that show them.
            kept.retire(PART)
            retire_pages()
        self.stdout.write(self.style.SUCCESS(f"相关文章列表已重算：{written} 篇文章的列表有变化"))
