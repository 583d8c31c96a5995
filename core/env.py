"""Typed readers for settings that come from the environment.

Each helper fails loudly on a value it cannot read, so a typo in a deployment shows at start-up
and not as odd behaviour later (the habit of healthchecks' ``hc/settings.py``).
"""

from __future__ import annotations

import ipaddress
import os
import re
import urllib.parse
from dataclasses import dataclass, replace

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


# --- object storage -------------------------------------------------------------------------------

_S3_SCHEMES = {"s3": "https", "s3+https": "https", "s3+http": "http"}
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_ADDRESSING = {"path", "virtual", "auto"}


@dataclass(frozen=True)
class S3Config:
    """Where the files go when they go to a bucket: what ``env_s3`` read, nothing resolved yet
    (no boto3 import at settings time)."""

    bucket: str
    endpoint_url: str | None = None  # None: AWS itself (boto3's endpoint for the region)
    region: str | None = None
    access_key: str | None = None  # None: boto3's own chain (AWS_* variables, ~/.aws, a role)
    secret_key: str | None = None
    addressing_style: str | None = None  # None: "path" with an endpoint, boto3's "auto" without
    backup_bucket: str | None = None  # None: the same bucket

    def storage(self, *, location: str, backups: bool = False) -> dict:
        """A ``STORAGES`` entry for ``zhijiao.storage.S3Storage`` keeping its files under
        ``location/`` in the bucket (the backups' bucket with ``backups``)."""
        style = self.addressing_style or ("path" if self.endpoint_url else "auto")
        return {
            "BACKEND": "zhijiao.storage.S3Storage",
            "OPTIONS": {
                "bucket_name": (self.backup_bucket or self.bucket) if backups else self.bucket,
                "location": location,
                "endpoint_url": self.endpoint_url,
                "region_name": self.region,
                "access_key": self.access_key,
                "secret_key": self.secret_key,
                "addressing_style": style,
            },
        }


def _bucket(name: str, value: str) -> str:
    if not _BUCKET.match(value) or ".." in value:
        raise ImproperlyConfigured(
            f"{name}: {value!r} is not a bucket name (3–63 characters: lower-case letters, "
            "digits, '.' and '-', starting and ending with a letter or digit)"
        )
    return value


def _endpoint(name: str, value: str) -> str:
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.path not in {"", "/"}:
        raise ImproperlyConfigured(
            f"{name}: {value!r} is not an endpoint such as https://s3.example.edu.cn:9000"
        )
    return value.rstrip("/")


def parse_storage_url(url: str, name: str = "ZHIJIAO_STORAGE_URL") -> S3Config:
    """``s3://KEY:SECRET@HOST[:PORT]/BUCKET?region=R&addressing=path|virtual`` → S3Config.

    ``s3://`` and ``s3+https://`` speak HTTPS to HOST, ``s3+http://`` plain HTTP (a server on
    loopback or a closed network); without HOST (``s3:///BUCKET?region=…``) boto3 finds AWS's
    endpoint for the region. KEY and SECRET are percent-encoded (a ``/`` in a secret is ``%2F``);
    without them boto3's own credential chain applies."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: cannot read {url!r}: {exc}") from None
    if parts.scheme not in _S3_SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must start with s3://, s3+https:// or s3+http://, not {parts.scheme!r}"
        )
    bucket = parts.path.strip("/")
    if not bucket or "/" in bucket:
        raise ImproperlyConfigured(f"{name}: name the bucket as the path, e.g. s3://host/zhijiao")
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"region", "addressing", "backup_bucket"}
    if unknown:
        raise ImproperlyConfigured(f"{name}: unknown parameter {sorted(unknown)[0]!r}")

    def one(key: str) -> str | None:
        values = query.get(key)
        return values[-1] if values and values[-1] else None

    endpoint = None
    if parts.hostname:
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        endpoint = f"{_S3_SCHEMES[parts.scheme]}://{host}" + (f":{port}" if port else "")
    config = S3Config(
        bucket=_bucket(name, bucket),
        endpoint_url=endpoint,
        region=one("region"),
        access_key=urllib.parse.unquote(parts.username) if parts.username else None,
        secret_key=urllib.parse.unquote(parts.password) if parts.password else None,
        addressing_style=one("addressing"),
        backup_bucket=one("backup_bucket"),
    )
    return _checked(name, config)


def _checked(name: str, config: S3Config) -> S3Config:
    if config.addressing_style is not None and config.addressing_style not in _ADDRESSING:
        raise ImproperlyConfigured(
            f"{name}: addressing style {config.addressing_style!r} is not path, virtual or auto"
        )
    if config.backup_bucket is not None:
        _bucket(name, config.backup_bucket)
    if bool(config.access_key) != bool(config.secret_key):
        raise ImproperlyConfigured(f"{name}: give both the access key and the secret key, or none")
    return config


_S3_VARIABLES = {
    "ZHIJIAO_S3_BUCKET": "bucket",
    "ZHIJIAO_S3_ENDPOINT_URL": "endpoint_url",
    "ZHIJIAO_S3_REGION": "region",
    "ZHIJIAO_S3_ACCESS_KEY_ID": "access_key",
    "ZHIJIAO_S3_SECRET_ACCESS_KEY": "secret_key",
    "ZHIJIAO_S3_ADDRESSING_STYLE": "addressing_style",
    "ZHIJIAO_S3_BACKUP_BUCKET": "backup_bucket",
}


def env_s3() -> S3Config | None:
    """The bucket the files go to, or None: the local disk (MEDIA_ROOT), the default.

    From ``ZHIJIAO_STORAGE_URL`` (see ``parse_storage_url``) and/or the ``ZHIJIAO_S3_*``
    variables, which override the URL's parts."""
    url = env_str("ZHIJIAO_STORAGE_URL").strip()
    config = parse_storage_url(url) if url else None
    given = {
        field: os.environ[variable].strip()
        for variable, field in _S3_VARIABLES.items()
        if os.environ.get(variable, "").strip()
    }
    if not given:
        return config
    if config is None:
        if "bucket" not in given:
            raise ImproperlyConfigured(
                "ZHIJIAO_S3_* is set but no bucket: set ZHIJIAO_S3_BUCKET (or ZHIJIAO_STORAGE_URL)"
            )
        config = S3Config(bucket=given["bucket"])
    if "bucket" in given:
        given["bucket"] = _bucket("ZHIJIAO_S3_BUCKET", given["bucket"])
    if "endpoint_url" in given:
        given["endpoint_url"] = _endpoint("ZHIJIAO_S3_ENDPOINT_URL", given["endpoint_url"])
    return _checked("ZHIJIAO_S3_*", replace(config, **given))
