"""The read-only JSON API, assembled in one place."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
