"""Robots and machines are not readers: the COUNTER list (the ``counter-robots`` package, the
list COUNTER publishes, kept by the Invenio project and pinned in pyproject.toml).

Matched as that package matches, case-sensitively: case-insensitive, its pattern ``core`` would
take the QQ and Sogou browsers (``Core/1.70…``), which many teachers use, for robots. A few
words the list spells in one case only are added (``YandexBot``). A request without a user
agent is a robot too (the list's ``^.?$``).
"""

from __future__ import annotations

import re
from functools import lru_cache

import counter_robots

_EXTRA = re.compile(r"Bot\b|Bot/|Spider|Crawler")


@lru_cache(maxsize=4096)
def is_robot(user_agent: str) -> bool:
    """Whether this user agent is a robot, crawler or machine (cached: a site sees few)."""
    return counter_robots.is_robot_or_machine(user_agent) or bool(_EXTRA.search(user_agent))
