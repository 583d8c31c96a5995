"""Pieces every part of the JSON API shares: the schema's rules, absolute page links and the
error shape."""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.converters import NUMBER_CONVERTERS

_ROUTE_PARAMETER = re.compile(r"<(?P<converter>[^>:]+):(?P<name>\w+)>")
EMPTY_MEANS_NONE = "留空与不填相同。"


class ApiSchema(AutoSchema):
    """The OpenAPI schema of every API view (DEFAULT_SCHEMA_CLASS), with two rules
    the generated one does not know:

    * An empty query parameter (``?kind=``, ``?page=``) means the same as none: no filter, the
      first page. The registry page and its downloads read it so (django-filter skips empty
      values), and the API answers the same list; ``allowEmptyValue`` says so, rather than a
      schema that forbids the empty value the API accepts.
    * A number in the path is the bounded integer its converter matches (core/converters.py),
      not the converter's regex as a string.
    """

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if not operation:
            return operation
        converters = {
            # drf-spectacular names a "pk" in the route "id" in the schema.
            ("id" if m["name"] == "pk" else m["name"]): m["converter"]
            for m in _ROUTE_PARAMETER.finditer(path_regex)
        }
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query":
                parameter["allowEmptyValue"] = True
                description = parameter.get("description", "")
                if EMPTY_MEANS_NONE not in description:
                    sep = "；" if description and not description.endswith("。") else ""
                    parameter["description"] = description + sep + EMPTY_MEANS_NONE
            elif parameter["in"] == "path":
                converter = NUMBER_CONVERTERS.get(converters.get(parameter["name"], ""))
                if converter is not None:
                    parameter["schema"] = converter().openapi
        return operation


@extend_schema_field({"type": "string", "format": "uri"})
class AbsoluteUrlField(serializers.Field):
    """The object's page on the site (``get_absolute_url``), as an absolute URL."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "*")
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, obj) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="出错原因")


#: Every endpoint documents its 404: an unknown object, a page past the end, a bad filter value.
NOT_FOUND = {404: ErrorSerializer}
