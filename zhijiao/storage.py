"""Django's storage on an S3-compatible bucket (django-storages), behaving as the code expects of
a storage.

``settings.STORAGES`` names ``S3Storage`` when ``ZHIJIAO_S3_BUCKET`` or ``ZHIJIAO_STORAGE_URL`` is
set (``core.env.env_s3``); otherwise files stay on the local disk. Every writer (PDFs,
attachments, import stashes, media in backups) goes through ``default_storage``, the archives of
``make backup`` through ``storages["backups"]``, so two app servers see the same files.

Two things differ from django-storages' own class:

* **Checksums only when required.** boto3 ≥ 1.36 sends CRC checksums with every upload and checks
  them on every download by default; S3-compatible servers other than AWS (MinIO, Ceph, many
  vendors' appliances) refuse such requests or send no checksum back.
  ``request_checksum_calculation`` and ``response_checksum_validation`` are "when_required".
* **Failures are OSErrors.** The code around storage (the PDF store, the attachment view and its
  admin, the backup) is written for a file system: a missing file is ``FileNotFoundError``, a
  store that cannot be written an ``OSError``. botocore raises its own classes; here they become
  those, so an unreachable or refusing bucket gets the same designed answers as a full disk.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager

from boto3.exceptions import Boto3Error
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from storages.backends import s3
from storages.utils import clean_name

# Not the AWS defaults ("when_supported"): see the module's docstring.
CHECKSUMS = {
    "request_checksum_calculation": "when_required",
    "response_checksum_validation": "when_required",
}
# A request to the bucket is part of a reader's request: fail within seconds rather than hold a
# gunicorn worker until its timeout.
TIMEOUTS = {"connect_timeout": 5, "read_timeout": 30, "retries": {"max_attempts": 3}}
# A file read from the bucket is held in memory up to this size, beyond it in a temporary file.
MAX_MEMORY = 4 * 1024 * 1024
# Links the storage itself makes (``url()``: the admin's "currently" link) expire soon; readers
# get attachments through the app's view, after its access checks.
URL_SECONDS = 300
# A compressed file is stored as such (its type), never as an encoding of the file inside it.
ENCODED_TYPES = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
}


def client_config(addressing_style: str | None = None) -> Config:
    return Config(
        **CHECKSUMS,
        **TIMEOUTS,
        signature_version="s3v4",  # also for the links url() signs (AWS has retired version 2)
        s3={"addressing_style": addressing_style or "auto"},
    )


def _status(err: ClientError) -> tuple[int | None, str]:
    response = err.response or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status, str(response.get("Error", {}).get("Code", ""))


@contextmanager
def os_errors(name: str) -> Iterator[None]:
    """botocore's and boto3's exceptions as the OSErrors a file system would raise."""
    try:
        yield
    except ClientError as err:
        status, code = _status(err)
        if status == 404 and code not in {"NoSuchBucket", "NoSuchUpload"}:
            raise FileNotFoundError(errno.ENOENT, "not in the bucket", name) from err
        raise OSError(f"object storage refused {name!r}: {code or status}: {err}") from err
    except (BotoCoreError, Boto3Error) as err:
        raise OSError(f"object storage failed on {name!r}: {err}") from err


class S3File(s3.S3File):
    def _get_file(self):
        with os_errors(self.name):
            return super()._get_file()

    file = property(_get_file, s3.S3File._set_file)

    def close(self) -> None:
        with os_errors(self.name):
            super().close()


class S3Storage(s3.S3Storage):
    """``storages.backends.s3.S3Storage`` with the checksum settings, timeouts and errors above.
    Files are private (no ACL), overwritten under the same name (PDFs are named by their content,
    attachments and stashes at random)."""

    def __init__(self, **settings):
        settings.setdefault("client_config", client_config(settings.get("addressing_style")))
        settings.setdefault("default_acl", None)
        settings.setdefault("file_overwrite", True)
        settings.setdefault("max_memory_size", MAX_MEMORY)
        settings.setdefault("querystring_expire", URL_SECONDS)
        super().__init__(**settings)

    def __repr__(self) -> str:
        return f"<S3Storage {self.describe()}>"

    def describe(self, name: str = "") -> str:
        """``s3://bucket/location/name``, for messages."""
        return "s3://" + "/".join(p for p in (self.bucket_name, self.location, name) if p)

    def _get_write_parameters(self, name, content=None):
        params = super()._get_write_parameters(name, content)
        # mimetypes reads "zhijiao-….tar.gz" as a tar with Content-Encoding: gzip, which would
        # have clients unpack it on download; the app stores every file as it is.
        encoding = params.pop("ContentEncoding", None)
        if encoding:
            params["ContentType"] = ENCODED_TYPES.get(encoding, "application/octet-stream")
        return params

    def _open(self, name, mode="rb"):
        key = self._normalize_name(clean_name(name))
        with os_errors(name):
            return S3File(key, mode, self)

    def _save(self, name, content):
        with os_errors(name):
            return super()._save(name, content)

    def delete(self, name):
        with os_errors(name):
            super().delete(name)

    def exists(self, name):
        with os_errors(name):
            return super().exists(name)

    def listdir(self, name):
        with os_errors(name or "/"):
            return super().listdir(name)

    def size(self, name):
        with os_errors(name):
            return super().size(name)

    def get_modified_time(self, name):
        with os_errors(name):
            return super().get_modified_time(name)

    def url(self, name, parameters=None, expire=None, http_method=None):
        with os_errors(name):
            return super().url(name, parameters, expire, http_method)


def client(config):
    """A boto3 S3 client for a ``core.env.S3Config`` (the tests' and the bench's bucket
    set-up; the app itself goes through ``S3Storage``)."""
    import boto3

    style = config.addressing_style or ("path" if config.endpoint_url else "auto")
    return boto3.client(
        "s3",
        endpoint_url=config.endpoint_url,
        region_name=config.region or "us-east-1",
        aws_access_key_id=config.access_key,
        aws_secret_access_key=config.secret_key,
        config=client_config(style),
    )
