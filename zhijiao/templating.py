"""The template engine of the public pages (jinja2/): Jinja2, which renders the same pages in a
fraction of the Django template language's time (bench/README.md), so a page is quick to build
again right after every content change. The admin keeps the Django language (templates/).

What the templates may call is listed here, named as in Django's tags so the pages read alike."""

from __future__ import annotations

from itertools import groupby

from django.template import defaultfilters
from django.template.backends import jinja2 as django_jinja2
from django.templatetags.static import static
from django.test.signals import template_rendered
from django.urls import NoReverseMatch

import jinja2
from core.links import reverse
from readership.templatetags.readership import read_count


def url(name: str, *args) -> str:
    """``{% url %}``, worked out once per address (core/links.py)."""
    return reverse(name, args)


def url_or_none(name: str, *args) -> str | None:
    """``{% url … as x %}``: nothing instead of an error where a feature's URLs may be off."""
    try:
        return url(name, *args)
    except NoReverseMatch:
        return None


@jinja2.pass_context
def querystring(context, **changes) -> str:
    """``{% querystring page=2 %}``: the current query with those parameters changed (None
    removes one)."""
    query = context["request"].GET
    params = query.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    if not params and not query:
        return ""
    return f"?{params.urlencode()}"


def regroup(items, attribute: str) -> list[tuple]:
    """``{% regroup %}``: consecutive items with the same value, in their order (Jinja's
    ``groupby`` sorts)."""
    return [
        (key, list(group)) for key, group in groupby(items, key=lambda i: getattr(i, attribute))
    ]


def environment(**options) -> jinja2.Environment:
    env = jinja2.Environment(**options)
    env.globals.update(
        url=url,
        url_or_none=url_or_none,
        static=static,
        querystring=querystring,
        regroup=regroup,
        read_count=read_count,
    )
    env.filters.update(
        date=defaultfilters.date,
        urlencode=defaultfilters.urlencode,
        truncatechars=defaultfilters.truncatechars,
        linebreaks=defaultfilters.linebreaks_filter,
    )
    return env


class Template(django_jinja2.Template):
    def render(self, context=None, request=None):
        if context is None:
            context = {}
        if template_rendered.receivers:
            # What the test client collects as response.context (Django does this for its own
            # language only); no receiver outside tests, so nothing is sent in production.
            context = dict(context)
            if request is not None:
                context["request"] = request
            template_rendered.send(sender=self, template=self, context=context)
        return super().render(context, request)


class Jinja2(django_jinja2.Jinja2):
    def get_template(self, template_name):
        return Template(super().get_template(template_name).template, self)

    def from_string(self, template_code):
        return Template(self.env.from_string(template_code), self)
