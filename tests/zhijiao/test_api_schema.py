"""The JSON API fuzzed against its own OpenAPI schema with schemathesis, in-process over WSGI.

Schemathesis generates valid and invalid requests from /api/schema/ and checks every answer: no
5xx, only documented status codes and content types, bodies that match the schema, invalid input
rejected and valid input accepted. It calls the WSGI application directly, inside the test's
transaction, so it reads the seeds like every other test (no live server, no subprocess).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_schema(db):
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from zhijiao.wsgi import application

    # As Django's test client does: a request must not close the test's database connection.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case):
    case.call_and_validate()
