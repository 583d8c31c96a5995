"""axe-core in the browser tests: ``run_axe(page)`` lists what axe-core finds wrong on the page as
it is now, ``assert_accessible(violations)`` fails on the critical and serious ones.

axe-core is the npm package pinned in package.json/package-lock.json at the repository root and
installed into ./node_modules by ``npm ci`` (``make test`` does it). It is only injected into
pages under test, never served by the site.
"""

from __future__ import annotations

import functools
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

AXE_JS = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("critical", "serious")


def axe_source() -> Path:
    """Where axe.min.js is; a test fails without it (or is skipped on a machine without node)."""
    if AXE_JS.is_file():
        return AXE_JS
    if shutil.which("node") is None:
        pytest.skip("node is missing (apt-get install npm), so axe-core cannot be installed")
    pytest.fail(
        f"axe-core is not installed ({AXE_JS} is missing): run `npm ci --no-audit --no-fund` "
        "in the repository root (make test does)",
        pytrace=False,
    )


@functools.cache
def _axe_text() -> str:
    return axe_source().read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now: a list of axe's result objects (``id``,
    ``impact``, ``help``, ``helpUrl``, ``nodes`` with ``target`` and ``html``)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, not added as a <script>: the site's
        # Content-Security-Policy refuses an inline script without the page's nonce (which
        # add_script_tag writes), and an evaluated one runs outside the page's CSP, which stays
        # as it is for the test's own checks. The same on a page without a CSP, and no refused
        # try first.
        page.evaluate(_axe_text())
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return results["violations"]


def describe(violations: list[dict]) -> str:
    """One paragraph per violation: id, impact, help, and each node's target."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v.get('helpUrl', '')}")
        for node in v["nodes"]:
            lines.append(f"    {_target(node)}    {node['html'][:160]}")
    return "\n".join(lines)


def _target(node: dict) -> str:
    return " ".join(str(t) for t in node["target"])


def without(violations: list[dict], not_ours: dict[str, str] | None) -> list[dict]:
    """The violations less the nodes that ``not_ours`` names: rule id → a regular expression
    the node's target must match (markup the project does not write). A violation none of whose
    nodes is left goes; a rule's nodes elsewhere stay."""
    if not not_ours:
        return violations
    kept = []
    for v in violations:
        pattern = not_ours.get(v["id"])
        nodes = [n for n in v["nodes"] if not (pattern and re.search(pattern, _target(n)))]
        if nodes:
            kept.append({**v, "nodes": nodes})
    return kept


def serious(violations: list[dict]) -> list[dict]:
    """The critical and serious violations."""
    return [v for v in violations if v["impact"] in SERIOUS]


def assert_accessible(
    violations: list[dict], where: str = "", not_ours: dict[str, str] | None = None
) -> None:
    """No critical or serious violation, but for the nodes ``not_ours`` leaves out."""
    found = serious(without(violations, not_ours))
    assert not found, f"axe-core finds on {where or 'the page'}:\n{describe(found)}"
