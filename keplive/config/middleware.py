"""Request guards that apply to every URL."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from keplive.portal.errors import static_error_response

NUL = "\x00"


def _has_nul(request: HttpRequest) -> bool:
    if NUL in request.path:
        return True
    if any(
        NUL in key or any(NUL in value for value in request.GET.getlist(key)) for key in request.GET
    ):
        return True
    if request.method not in ("POST", "PUT", "PATCH"):
        return False
    content_type = request.content_type or ""
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return any(
            NUL in key or any(NUL in value for value in request.POST.getlist(key))
            for key in request.POST
        )
    # JSON and anything else: a raw NUL, or one escaped in JSON.
    return b"\x00" in request.body or b"\\u0000" in request.body.lower()


class RejectNulCharacters:
    """Refuse any request carrying a NUL character (``\\x00``) with a clear 400.

    No user types one; it only arrives from tampering or fuzzing, and PostgreSQL cannot store
    or compare text containing it, so left alone it would surface as a 500 deep in a query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            message = _("The request contains a character that is not allowed (NUL).")
            if request.path.startswith("/api/"):
                body = {
                    "code": "invalid_input",
                    "message": message,
                    "alternatives": [],
                    "alternative": "",
                    "errors": [],
                }
                return JsonResponse(body, status=400)
            # The standalone error page: the request itself is not fit to render with.
            return static_error_response(400, _("The request could not be understood"), message)
        return self.get_response(request)


class GreekFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are in Greek unless the visitor chose English with the switch (the language
    cookie). The browser's ``Accept-Language`` is not followed for pages: many Greek citizens
    use a phone set to English and still expect a Greek public service. The API follows
    ``Accept-Language``, as integrators expect.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
