"""core.links.reverse: Django's reverse, once per address, still right when the script prefix or
the URLconf differs (a site under /zhijiao/, a test's own urls)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import clear_script_prefix, path, set_script_prefix
from django.urls import reverse as django_reverse

from core.links import reverse


def _view(request):  # pragma: no cover - never called
    raise AssertionError


urlpatterns = [path("other/<int:pk>/", _view, name="other")]


@pytest.mark.parametrize(
    "name, args, kwargs",
    [
        ("issues:home", (), None),
        ("issues:detail", (), {"year": 2024, "number": 2}),
        ("communities:detail", (), {"number": 81}),
        ("articles:section", ("重要通知",), None),
    ],
)
def test_same_address_as_django(name, args, kwargs):
    assert reverse(name, args, kwargs) == django_reverse(name, args=args, kwargs=kwargs)
    assert reverse(name, args, kwargs) == django_reverse(name, args=args, kwargs=kwargs)


def test_follows_the_script_prefix():
    plain = reverse("issues:home")
    set_script_prefix("/zhijiao/")
    try:
        assert reverse("issues:home") == "/zhijiao" + plain
    finally:
        clear_script_prefix()
    assert reverse("issues:home") == plain


def test_follows_the_urlconf():
    with override_settings(ROOT_URLCONF=__name__):
        assert reverse("other", kwargs={"pk": 3}) == "/other/3/"
