from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from importer.files import issue_text, looks_like_issue
from importer.load import ImportProblem, ImportRefused, import_issue


class Command(BaseCommand):
    help = "导入文件夹中所有期刊文件（make run 用它导入 ../shared/seeds）；其他文档跳过。"

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument("--publish", action="store_true")

    def handle(self, *args, folder: Path, publish: bool, **options):
        if not folder.is_dir():
            raise CommandError(f"{folder}: 不是文件夹")
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in {".txt", ".md", ".docx"} or path.name == "README.md":
                continue
            try:
                text = issue_text(path.read_bytes(), filename=path.name)
                if not looks_like_issue(text):
                    continue
                result = import_issue(text=text, publish=publish)
            except ImportRefused as exc:
                # An editor changed the seeded content on this site: keep their work, go on.
                self.stdout.write(f"{path.name}: {exc}")
                continue
            except ImportProblem as exc:
                raise CommandError(f"{path.name}: {exc}") from None
            self.stdout.write(f"{path.name}: {result.summary()}")
