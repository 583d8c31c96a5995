"""Files on object storage: every writer through default_storage into an S3-protocol bucket.

Against a real S3-protocol server on loopback (moto in server mode), which `scripts/with-s3.sh`
starts and stops around the test command and names in ``ZHIJIAO_TEST_STORAGE_URL``; each test gets
a bucket of its own. Without it those tests are skipped. The configuration tests need no server.
"""

from __future__ import annotations

import logging
import os
import tarfile
import uuid
from dataclasses import replace
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from articles.models import Article, Attachment
from core.env import S3Config, env_s3, parse_storage_url
from importer import uploads
from issues.models import Issue
from printing import storage as pdf_storage
from tests.conftest import admin_form_data
from tests.seeds import SEED_ARTICLE
from tests.zhijiao.test_backup import TABLES, _count_rows
from tests.zhijiao.test_backup import empty_database as empty_database
from zhijiao.backup import (
    create_backup,
    fetched_backup,
    list_backups,
    restore_backup,
    storage_files,
    store_backup,
)
from zhijiao.storage import S3Storage, client

S3_URL = os.environ.get("ZHIJIAO_TEST_STORAGE_URL", "")
needs_s3 = pytest.mark.skipif(
    not S3_URL, reason="needs an S3 server: ZHIJIAO_TEST_STORAGE_URL (scripts/with-s3.sh)"
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f"
    b"\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00"
    b"\x00IEND\xaeB`\x82"
)
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
GIF += b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
ISSUE_PDF_URL = "/issues/2024/2/pdf/"


class Bucket:
    """A bucket of the test's own, seen from outside the app (boto3 directly)."""

    def __init__(self, config: S3Config):
        self.config = config
        self.name = config.bucket
        self.s3 = client(config)

    def objects(self, prefix: str = "") -> dict[str, bytes]:
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        keys = [entry["Key"] for page in pages for entry in page.get("Contents", ())]
        return {key: self.s3.get_object(Bucket=self.name, Key=key)["Body"].read() for key in keys}

    def empty_and_delete(self) -> None:
        for key in self.objects():
            self.s3.delete_object(Bucket=self.name, Key=key)
        self.s3.delete_bucket(Bucket=self.name)


@pytest.fixture
def bucket(db, settings):
    """default_storage (media/) and the backups (backups/) in a new bucket, as the settings make
    them from ZHIJIAO_STORAGE_URL. (With the database: every test here writes through the app,
    and so runs in the PostgreSQL pass of `make test` too.)"""
    config = replace(parse_storage_url(S3_URL), bucket=f"zhijiao-{uuid.uuid4().hex[:12]}")
    made = Bucket(config)
    made.s3.create_bucket(Bucket=made.name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": config.storage(location="media"),
        "backups": config.storage(location="backups", backups=True),
    }
    yield made
    made.empty_and_delete()


def _article(number: str = "1.1.4") -> Article:
    return Article.objects.get(issue__year=2024, issue__number=2, number=number)


# --- configuration (no server needed) -----------------------------------------------------------


def test_the_local_disk_stays_the_default(monkeypatch):
    for name in ("ZHIJIAO_STORAGE_URL", "ZHIJIAO_S3_BUCKET", "ZHIJIAO_S3_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    assert env_s3() is None


def test_one_storage_url_says_everything():
    config = parse_storage_url(
        "s3://AKIA%2Bkey:se%2Fcret@minio.campus.edu.cn:9000/zhijiao?region=cn-south-1"
    )
    assert config == S3Config(
        bucket="zhijiao",
        endpoint_url="https://minio.campus.edu.cn:9000",
        region="cn-south-1",
        access_key="AKIA+key",
        secret_key="se/cret",
    )
    options = config.storage(location="media")["OPTIONS"]
    assert options["addressing_style"] == "path"  # an endpoint of its own: path-style requests
    assert options["location"] == "media" and options["bucket_name"] == "zhijiao"
    backups = config.storage(location="backups", backups=True)["OPTIONS"]
    assert backups["location"] == "backups" and backups["bucket_name"] == "zhijiao"
    plain = parse_storage_url("s3+http://127.0.0.1:9000/zhijiao-test?backup_bucket=zhijiao-backup")
    assert plain.endpoint_url == "http://127.0.0.1:9000" and plain.access_key is None
    assert plain.storage(location="b", backups=True)["OPTIONS"]["bucket_name"] == "zhijiao-backup"
    aws = parse_storage_url("s3:///zhijiao-files?region=cn-north-1")
    assert aws.endpoint_url is None and aws.storage(location="m")["OPTIONS"][
        "addressing_style"
    ] == ("auto")


def test_the_separate_variables_override_the_url(monkeypatch):
    monkeypatch.setenv("ZHIJIAO_STORAGE_URL", "s3://k:s@s3.example.edu.cn/zhijiao")
    monkeypatch.setenv("ZHIJIAO_S3_REGION", "cn-south-1")
    monkeypatch.setenv("ZHIJIAO_S3_BUCKET", "zhijiao-2")
    config = env_s3()
    assert config.bucket == "zhijiao-2" and config.region == "cn-south-1"
    assert config.endpoint_url == "https://s3.example.edu.cn" and config.access_key == "k"
    monkeypatch.delenv("ZHIJIAO_STORAGE_URL")
    monkeypatch.setenv("ZHIJIAO_S3_ENDPOINT_URL", "http://10.0.0.5:9000/")
    monkeypatch.setenv("ZHIJIAO_S3_ACCESS_KEY_ID", "key")
    monkeypatch.setenv("ZHIJIAO_S3_SECRET_ACCESS_KEY", "secret")
    assert env_s3() == S3Config(
        bucket="zhijiao-2",
        endpoint_url="http://10.0.0.5:9000",
        region="cn-south-1",
        access_key="key",
        secret_key="secret",
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"ZHIJIAO_STORAGE_URL": "ftp://host/bucket"}, "must start with s3://"),
        ({"ZHIJIAO_STORAGE_URL": "s3://host/"}, "name the bucket"),
        ({"ZHIJIAO_STORAGE_URL": "s3://host/ab"}, "not a bucket name"),
        ({"ZHIJIAO_STORAGE_URL": "s3://host/Zhijiao_Files"}, "not a bucket name"),
        ({"ZHIJIAO_STORAGE_URL": "s3://host/zhijiao?regoin=x"}, "unknown parameter"),
        ({"ZHIJIAO_STORAGE_URL": "s3://key@host/zhijiao"}, "both the access key"),
        ({"ZHIJIAO_STORAGE_URL": "s3://host/zhijiao?addressing=dns"}, "addressing style"),
        ({"ZHIJIAO_S3_REGION": "cn-south-1"}, "no bucket"),
        ({"ZHIJIAO_S3_BUCKET": "zhijiao", "ZHIJIAO_S3_ENDPOINT_URL": "minio:9000"}, "endpoint"),
    ],
)
def test_a_wrong_setting_stops_the_start_with_one_line(monkeypatch, variables, message):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ImproperlyConfigured, match=message):
        env_s3()


def test_checksums_are_sent_only_when_required():
    """boto3 ≥ 1.36 sends CRC checksums by default, which S3-compatible servers other than AWS
    refuse; the app's storage asks for them only where the S3 API requires them."""
    storage = S3Storage(bucket_name="zhijiao", endpoint_url="http://127.0.0.1:9")
    config = storage.connection.meta.client.meta.config
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"


@needs_s3
def test_an_upload_carries_no_checksum(bucket):
    sent = []
    s3 = default_storage.connection.meta.client
    s3.meta.events.register("before-send.s3.PutObject", lambda request, **kw: sent.append(request))
    default_storage.save("probe.txt", ContentFile(b"checksum?"))
    headers = {name.lower() for request in sent for name in request.headers}
    assert sent and not {h for h in headers if "checksum" in h}, headers
    assert bucket.objects() == {"media/probe.txt": b"checksum?"}


# --- attachments ----------------------------------------------------------------------------------


@needs_s3
def test_an_attachment_is_uploaded_served_replaced_and_deleted(bucket, editor_client, client):
    article = _article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    data.update(
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-title": "图",
            "attachments-0-file": SimpleUploadedFile("校园.png", PNG),
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    item = article.attachments.get()
    assert bucket.objects("media/attachments/") == {f"media/{item.file.name}": PNG}

    # Served through the app's own view, with its access check and headers.
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(PNG))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]

    # Replaced: the reader gets the new file at the same address.
    data = admin_form_data(editor_client, url)
    data["attachments-0-id"] = item.pk  # a browser posts it; admin_form_data leaves ids out
    data["attachments-0-file"] = SimpleUploadedFile("新图.gif", GIF)
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    item.refresh_from_db()
    assert item.content_type == "image/gif" and f"media/{item.file.name}" in bucket.objects()
    response = client.get(item.get_absolute_url())
    assert b"".join(response.streaming_content) == GIF and response["Content-Type"] == "image/gif"

    # Deleted: gone for readers.
    data = admin_form_data(editor_client, url)
    data.pop("attachments-0-file", None)  # the form's current file, which no browser posts back
    data.update({"attachments-0-id": item.pk, "attachments-0-DELETE": "on"})
    response = editor_client.post(url, data)
    assert response.status_code == 302 and not Attachment.objects.filter(pk=item.pk).exists()
    assert client.get(item.get_absolute_url()).status_code == 404


@needs_s3
def test_an_attachment_missing_from_the_bucket_is_a_404(bucket, client):
    item = Attachment(article=_article(), file=SimpleUploadedFile("a.png", PNG), title="a")
    item.save()
    bucket.s3.delete_object(Bucket=bucket.name, Key=f"media/{item.file.name}")
    assert client.get(item.get_absolute_url()).status_code == 404


@needs_s3
def test_a_bucket_that_refuses_the_upload_keeps_the_editors_form(bucket, settings, editor_client):
    """The admin's designed answer to a store that cannot be written (an OSError), not a 500."""
    options = settings.STORAGES["default"]["OPTIONS"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {**options, "bucket_name": "gone"}},
    }
    article = _article()
    url = reverse("admin:articles_article_change", args=[article.pk])
    data = admin_form_data(editor_client, url)
    data.update(
        {
            "attachments-TOTAL_FORMS": "1",
            "attachments-0-file": SimpleUploadedFile("x.png", PNG),
            "title": "不会保存的标题",
        }
    )
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert "附件未能保存" in response.content.decode()
    assert _article().title != "不会保存的标题" and not article.attachments.exists()


# --- PDFs -----------------------------------------------------------------------------------------


@needs_s3
@pytest.mark.usefixtures("typeset_once")  # the bucket is tested here, not the layout
def test_a_pdf_is_built_stored_in_the_bucket_and_served_from_it(bucket, client, monkeypatch):
    issue = Issue.objects.get(year=2024, number=2)
    response = client.get(ISSUE_PDF_URL)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    built = b"".join(response.streaming_content)
    assert built.startswith(b"%PDF")
    stored = bucket.objects(f"media/pdf/issue-{issue.pk}/")
    assert list(stored.values()) == [built]
    assert next(iter(stored)).split("/")[-1].startswith("issue-")

    def no_build(*args, **kwargs):
        raise AssertionError("a PDF in the bucket must not be built again")

    monkeypatch.setattr(pdf_storage, "render_source", no_build)
    again = client.get(ISSUE_PDF_URL)
    assert again.status_code == 200 and b"".join(again.streaming_content) == built
    assert again["Content-Length"] == str(len(built))
    assert client.get(ISSUE_PDF_URL, HTTP_IF_NONE_MATCH=again["ETag"]).status_code == 304
    # A change: a new file, the old one deleted from the bucket.
    article = Article.objects.get(issue=issue, number=SEED_ARTICLE)
    article.title = "改过的标题"
    article.save()
    monkeypatch.undo()
    assert b"".join(client.get(ISSUE_PDF_URL).streaming_content) != built
    after = bucket.objects(f"media/pdf/issue-{issue.pk}/")
    assert len(after) == 1 and after.keys() != stored.keys()


@needs_s3
@pytest.mark.usefixtures("typeset_once")  # the bucket is tested here, not the layout
def test_a_pdf_the_bucket_refuses_is_served_anyway_and_logged(bucket, settings, client, caplog):
    options = settings.STORAGES["default"]["OPTIONS"]
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {**options, "bucket_name": "gone"}},
    }
    with caplog.at_level(logging.ERROR, logger="printing.storage"):
        response = client.get(ISSUE_PDF_URL)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    logged = [r.getMessage() for r in caplog.records if "not stored" in r.getMessage()]
    assert logged and "NoSuchBucket" in logged[0]
    # An OSError, as for a full disk: one line, no traceback.
    assert not any(r.exc_info for r in caplog.records if "not stored" in r.getMessage())


# --- import stashes -------------------------------------------------------------------------------


@needs_s3
def test_an_import_upload_waits_in_the_bucket_until_confirmed(bucket, monkeypatch):
    token = uploads.stash("第一期的全文")
    assert bucket.objects("media/imports/") == {
        f"media/imports/{token}.txt": "第一期的全文".encode()
    }
    # Any app server can finish it: the text comes back from the bucket, once.
    assert uploads.take(token) == "第一期的全文"
    assert uploads.take(token) is None and bucket.objects("media/imports/") == {}
    # One nobody confirmed is swept by a later upload (by the bucket's modification times).
    forgotten = uploads.stash("没人确认")
    monkeypatch.setattr(uploads, "UNCONFIRMED_FOR", timedelta(seconds=-60))
    kept = uploads.stash("新的上传")
    assert forgotten != kept
    assert set(bucket.objects("media/imports/")) == {f"media/imports/{kept}.txt"}


# --- backups ----------------------------------------------------------------------------------


@needs_s3
def test_backup_to_and_restore_from_the_bucket(bucket, empty_database):
    default_storage.save("attachments/校园.png", ContentFile(PNG))
    default_storage.save("pdf/issue-1/issue-abc.pdf", ContentFile(b"%PDF- old"))
    before = bucket.objects("media/")

    out = StringIO()
    call_command("backup", stdout=out)
    where = out.getvalue().strip()
    name = where.rsplit("/", 1)[-1]
    assert where == f"s3://{bucket.name}/backups/{name}" and name.startswith("zhijiao-")
    assert set(bucket.objects("backups/")) == {f"backups/{name}"}
    head = bucket.s3.head_object(Bucket=bucket.name, Key=f"backups/{name}")
    assert head["ContentType"] == "application/gzip" and "ContentEncoding" not in head
    listed = StringIO()
    call_command("backup", "--list", stdout=listed)
    assert listed.getvalue().split() == [where]

    # After the backup: a file changed, one deleted, one added.
    default_storage.delete("attachments/校园.png")
    default_storage.save("attachments/校园.png", ContentFile(b"\x89PNG changed"))
    default_storage.delete("pdf/issue-1/issue-abc.pdf")
    default_storage.save("pdf/issue-1/issue-def.pdf", ContentFile(b"%PDF- after"))

    with fetched_backup(storages["backups"], where) as archive:
        with tarfile.open(archive) as tar:
            members = set(tar.getnames())
        # The media, and not the archives beside them in the bucket.
        assert {"media/attachments/校园.png", "media/pdf/issue-1/issue-abc.pdf"} <= members
        assert not any(m.startswith("media/backups") for m in members)
        restore_backup(
            archive=archive,
            database=empty_database,
            vendor=connection.vendor,
            storage=default_storage,
        )
    assert bucket.objects("media/") == before
    assert _count_rows(connection.vendor, empty_database) == {
        table: model.objects.count() for table, model in TABLES.items()
    }
    assert set(bucket.objects("backups/")) == {f"backups/{name}"}  # the restore kept it


@needs_s3
def test_backups_in_the_same_second_keep_both(bucket, tmp_path):
    target = storages["backups"]
    first = store_backup(target=target)
    second = store_backup(target=target)
    assert first != second and list_backups(target) == sorted([first, second])
    assert not list(tmp_path.glob("**/*.tar.gz"))  # nothing left on this machine's disk


@needs_s3
def test_restoring_a_backup_the_bucket_does_not_have_says_so(bucket):
    with pytest.raises(CommandError, match="不存在"):
        call_command("restore", "zhijiao-20000101-000000.tar.gz")


@needs_s3
def test_a_local_archive_restores_into_the_bucket(bucket, tmp_path, empty_database):
    """From a machine's disk (an archive made before the move to the bucket) into the bucket."""
    local = {"attachments/a.png": PNG, "pdf/2/x.pdf": b"%PDF- x"}
    source = InMemoryStorage()
    for name, content in local.items():
        source.save(name, ContentFile(content))
    archive = create_backup(directory=tmp_path / "backups", storage=source)
    default_storage.save("stray.txt", ContentFile(b"after"))
    restore_backup(
        archive=archive, database=empty_database, vendor=connection.vendor, storage=default_storage
    )
    assert sorted(storage_files(default_storage)) == sorted(local)
    assert bucket.objects("media/") == {f"media/{name}": data for name, data in local.items()}
