from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importer.errors import LINE_BREAKS
from importer.files import issue_text
from importer.load import ImportProblem, describe, import_issue


class Command(BaseCommand):
    help = "导入一期《职教通讯》（.txt/.md/.docx）：目录、栏目、文章，以及附录中的共同体汇总表。"

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="只显示解析结果，不写入")
        parser.add_argument("--replace", action="store_true", help="覆盖导入后被编辑过的内容")
        parser.add_argument("--publish", action="store_true", help="导入为已发布（印刷过的期刊）")
        parser.add_argument(
            "--registry-now",
            action="store_true",
            help="草稿导入时，附录对共同体名录的变更立即公开（名录没有草稿状态）",
        )

    def handle(self, *args, path: Path, dry_run: bool, replace: bool, publish: bool, **options):
        registry_now = options["registry_now"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: 无法读取文件（{exc.strerror}）") from None
        try:
            result = import_issue(
                text=issue_text(data, filename=path.name),
                publish=publish,
                replace=replace,
                dry_run=dry_run,
                registry_now=registry_now,
            )
        except ImportProblem as exc:
            raise CommandError(f"{path.name.translate(LINE_BREAKS)}: {exc}") from None
        if dry_run:
            self.stdout.write(describe(result))
        self.stdout.write(result.summary())
