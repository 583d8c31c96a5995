"""Counts what readers open, after the response has been sent (readership/counting.py).

Placed after the authentication middleware and before the access middleware: a visitor whom a
closed site sends to the login page gets a redirect, which is not counted, and the item is known
only from the URL the resolver matched, so a page answered from the page cache (most are) is
counted exactly like a rendered one. The response itself is left alone: no cookie, no header,
no Vary, nothing in a cached page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from readership.counting import count_request

COUNTED_STATUS = (200, 304)  # 304: a PDF opened again from the browser's copy


class ReadershipMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            settings.ZHIJIAO_READERSHIP_COUNTING
            and request.method == "GET"
            and response.status_code in COUNTED_STATUS
        ):
            # Run when the server closes the response, i.e. once the reader has it (WSGI calls
            # close() after the last byte). Django's own closers use this list too.
            response._resource_closers.append(lambda: count_request(request))
        return response
