import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from issues.models import Issue
from printing import storage
from printing.build import build_article_pdf, build_issue_pdf, pdf_filename
from printing.render import PdfUnavailable


class Command(BaseCommand):
    help = (
        "把一期《职教通讯》（或其中一篇文章）导出为 PDF。"
        "例：export_issue_pdf 2024 2 -o 职教通讯-2024年第02期.pdf；--article 1.1.1 只导出一篇。"
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="年份，如 2024")
        parser.add_argument("number", type=int, help="期号，如 2")
        parser.add_argument(
            "-o",
            "--output",
            type=Path,
            help="输出文件（默认：当前文件夹下的 职教通讯-2024年第02期.pdf）",
        )
        parser.add_argument("--article", help="只导出这一篇文章，如 1.1.1")
        parser.add_argument(
            "--include-drafts",
            action="store_true",
            help="包括未发布的文章（编辑预览稿，每页标明“预览稿”）",
        )

    def handle(self, *args, year, number, output, article, include_drafts, **options):
        issue = Issue.objects.filter(year=year, number=number).first()
        if issue is None:
            raise CommandError(f"没有 {year}年第{number:02d}期。")
        public = Issue.objects.published().filter(pk=issue.pk).exists()
        if not public and not include_drafts:
            raise CommandError(f"{issue.label} 尚未发布；要导出预览稿请加 --include-drafts。")
        obj = None
        if article:
            articles = Article.objects.all() if include_drafts else Article.objects.published()
            obj = articles.select_related("issue").filter(issue=issue, number=article).first()
            if obj is None:
                raise CommandError(
                    f"{issue.label} 没有已发布的文章 {article}"
                    f"{'' if include_drafts else '（草稿请加 --include-drafts）'}。"
                )
        output = output or Path(pdf_filename(issue=issue, article=obj, preview=include_drafts))
        started = time.perf_counter()
        try:
            if include_drafts:
                content = (
                    build_article_pdf(article=obj, include_drafts=True)
                    if obj
                    else build_issue_pdf(issue=issue, include_drafts=True)
                )
            else:  # the public PDF: the stored one, built and stored now if it is out of date
                stored = storage.article_pdf(article=obj) if obj else storage.issue_pdf(issue=issue)
                content = stored.read()
        except PdfUnavailable as exc:
            raise CommandError(str(exc)) from None
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"{output}: 无法写入（{exc.strerror}）") from None
        elapsed = time.perf_counter() - started
        self.stdout.write(f"已导出 {output}（{len(content) / 1024:.0f} KB，用时 {elapsed:.1f} 秒）")
