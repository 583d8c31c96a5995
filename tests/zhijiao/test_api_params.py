"""The API's schema and its behaviour agree on every query parameter's empty value.

The site reads an empty parameter as no parameter (``/communities/?kind=`` is the whole registry,
``?page=`` the first page), and so does the API; its OpenAPI schema says so (``allowEmptyValue``)
instead of forbidding the empty value it accepts (schemathesis: "accepted a schema-violating
request"). Read from the generated schema, so a new endpoint or parameter is checked too.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

# For the path parameters of endpoints that take query parameters (none do today).
PATH_VALUES = {"year": "2024", "number": "2", "id": "1"}


def _schema(client) -> dict:
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _query_parameters(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    yield path, parameter


def _admits_empty(parameter: dict) -> bool:
    """Whether the schema lets a client send ``?name=`` (OpenAPI 3.0)."""
    if parameter.get("allowEmptyValue"):
        return True
    schema = parameter.get("schema", {})
    return (
        schema.get("type") == "string"
        and "" in schema.get("enum", [""])
        and not schema.get("minLength")
        and not schema.get("pattern")
    )


def _body(response) -> dict:
    """What the answer says, without the links (they repeat the query string)."""
    data = response.json()
    return {k: v for k, v in data.items() if k not in ("next", "previous")}


def test_every_list_endpoint_has_query_parameters_in_the_schema(client):
    paths = {path for path, _parameter in _query_parameters(_schema(client))}
    assert {"/api/issues/", "/api/communities/", "/api/search/"} <= paths


def test_schema_and_behaviour_agree_on_every_empty_query_parameter(client):
    checked = 0
    for path, parameter in _query_parameters(_schema(client)):
        url = path.format(**PATH_VALUES)
        name = parameter["name"]
        response = client.get(url, {name: ""})
        if _admits_empty(parameter):
            # Admitted: it must be accepted, and mean what leaving it out means.
            assert response.status_code == 200, (path, name, response.status_code)
            assert _body(response) == _body(client.get(url)), (path, name)
        else:
            assert response.status_code in (400, 404), (path, name, response.status_code)
        checked += 1
    assert checked >= 15


def test_empty_parameters_are_documented_as_no_filter(client):
    """The choice the site made (empty = no filter) is the one documented, for every parameter."""
    for path, parameter in _query_parameters(_schema(client)):
        assert parameter.get("allowEmptyValue") is True, (path, parameter["name"])


def test_all_empty_at_once_is_the_unfiltered_list(client):
    schema = _schema(client)
    names = [p["name"] for path, p in _query_parameters(schema) if path == "/api/communities/"]
    url = reverse("api:communities")
    assert _body(client.get(url, dict.fromkeys(names, ""))) == _body(client.get(url))
    # The page reads them the same way.
    page = client.get(reverse("communities:list"), dict.fromkeys(names, ""))
    assert page.context["page"].paginator.count == client.get(url).json()["count"]


def test_numbers_in_api_paths_are_documented_as_bounded_integers(client):
    for path, operations in _schema(client)["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] == "path":
                schema = parameter["schema"]
                assert schema["type"] == "integer", (path, parameter)
                assert schema["minimum"] == 0 and schema["maximum"] >= 32767, (path, parameter)
