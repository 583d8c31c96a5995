"""The JSON API fuzzed against its own OpenAPI schema with schemathesis, over a live server.

Schemathesis generates valid and invalid requests from /api/schema/ and checks every answer:
no 5xx, only documented status codes and content types, bodies that match the schema, invalid
input rejected (404 here) and valid input accepted. It lives with the browser tests because it
needs a live server (and with it the seeded, transactional database).

The search endpoint is fuzzed in its own case, named so that `-k 'not search'` leaves it out.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
SEARCH = "^/api/search/"


@pytest.mark.parametrize(
    "selection",
    [
        pytest.param(["--exclude-path-regex", SEARCH], id="issues-articles-communities"),
        pytest.param(["--include-path-regex", SEARCH], id="search"),
    ],
)
def test_api_conforms_to_its_schema(seeded_server, tmp_path, selection):
    executable = str(SCHEMATHESIS) if SCHEMATHESIS.exists() else shutil.which("schemathesis")
    if executable is None:
        pytest.skip("schemathesis is not installed (pip install -e '.[dev]')")
    result = subprocess.run(
        [
            executable,
            "run",
            f"{seeded_server.url}/api/schema/",
            "--url",
            seeded_server.url,
            "--max-examples",
            "25",
            "--seed",
            "1",
            "--request-timeout",
            "5",
            "--generation-database",
            "none",
            "--no-color",
            *selection,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout or " passed" in result.stdout
