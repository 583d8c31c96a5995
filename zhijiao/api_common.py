"""Pieces every part of the JSON API shares: absolute page links and the error shape."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


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
