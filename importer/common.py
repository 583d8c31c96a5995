"""What the issue importer and the registry loader share."""

from __future__ import annotations

import hashlib
import json
from typing import Any


class ImportRefused(Exception):
    """The file is fine, but importing it would overwrite editors' work."""


def fingerprint(state: dict[str, Any]) -> str:
    """A stable hash of imported content: same content, same hash, on any database."""
    blob = json.dumps(state, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()
