"""A pytest plugin loaded before Django reads its settings (see ``addopts`` in pyproject.toml).

The settings refuse to start without a real SECRET_KEY when DEBUG is off; tests run with DEBUG
off, as production does, so they get a throwaway key here: 50 characters, 9 different ones, which
is what the settings (and check --deploy's security.W009) ask at the least
(tests/zhijiao/test_project.py checks it).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-" + "x" * 40)
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ZHIJIAO_MANIFEST_STATIC", "0")
# Building PDFs after every commit (about a second each) is tested in tests/printing/test_pdf.py;
# elsewhere it would only slow the suite and write files.
os.environ.setdefault("ZHIJIAO_PDF_AUTOBUILD", "0")
