"""Typed readers for settings that come from the environment.

Each helper fails loudly on a value it cannot read, so a typo in a deployment shows at start-up
and not as odd behaviour later (the habit of healthchecks' ``hc/settings.py``).
"""

from __future__ import annotations

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_networks(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated CIDR list (a bare address is a network of one), each value checked and
    written out in full: ``10.0.0.0/8, ::1`` → ``["10.0.0.0/8", "::1/128"]``."""
    networks = []
    for value in env_list(name, default):
        try:
            networks.append(str(ipaddress.ip_network(value, strict=False)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {value!r} is not a network or address such as 10.0.0.0/8 or 10.0.0.5"
            ) from None
    return networks
