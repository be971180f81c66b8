"""How staff sign in (E1, issue 6 item 1): a user name and password, then a six-digit code from
an authenticator app (TOTP, django-otp). Repeated wrong passwords lock that user name out from
that address for a while (django-axes); repeated wrong codes slow the device down
(django-otp's throttling). See docs/adr/0010-staff-second-factor.md.

The interface apps wire these pieces to their own URLs: the workspace for KEP employees and
supervisors, the administration for the ministry's administrators and auditors. A staff page
serves only a session whose second factor is verified (``request.user.is_verified()``).

A staff member without a confirmed device enrols on first sign-in: the page shows the secret
as a QR code and as text, and the first correct code confirms it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from keplive.accounts import sessions
from keplive.audit.models import Outcome
from keplive.audit.origin import request_origin
from keplive.audit.services import record_event

View = Callable[..., HttpResponse]
Allowed = Callable[[Any], bool]

# The unconfirmed device a staff member is enrolling, kept in the session between the two pages.
_ENROLLING = "keplive_enrolling_device"


def account_wait_seconds(username: str, *, now: dt.datetime | None = None) -> int:
    """Seconds a sign-in with ``username`` must still wait, counting failures from every address
    (issue 11 finding 2). django-axes locks a user name out per address; this slows the name
    down across addresses — credential stuffing from many addresses, or many people behind one
    proxy — without locking the real employee out: past ``KEPLIVE_ACCOUNT_FAILURE_LIMIT``
    failures within ``AXES_COOLOFF_TIME``, each try waits 1, 2, 4… seconds after the last
    failure, up to ``KEPLIVE_ACCOUNT_MAX_DELAY_SECONDS``. The same for a name that does not
    exist, so the wait reveals nothing."""
    from axes.models import AccessAttempt
    from django.db.models import Max, Sum

    now = now or dt.datetime.now(tz=dt.UTC)
    counted = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    over = (counted["failures"] or 0) - settings.KEPLIVE_ACCOUNT_FAILURE_LIMIT
    if over < 0 or counted["last"] is None:
        return 0
    delay = min(2**over, settings.KEPLIVE_ACCOUNT_MAX_DELAY_SECONDS)
    last: dt.datetime = counted["last"]
    remaining = (last + dt.timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(remaining))


class StaffAuthenticationForm(AuthenticationForm):
    """Django's login form for one kind of staff. Anyone else's correct password gets exactly the
    wrong-credentials message: nothing reveals that the account exists. Subclasses set
    ``allowed``. A user name that failed too often from many addresses waits first
    (``account_wait_seconds``); the password is not even tried while it waits."""

    allowed: Allowed = staticmethod(lambda user: False)
    wait_seconds = 0

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if username:
            self.wait_seconds = account_wait_seconds(username)
            if self.wait_seconds:
                raise forms.ValidationError(
                    _(
                        "This user name has had many wrong passwords lately. For its safety, "
                        "wait %(seconds)s seconds, then try again."
                    ),
                    code="throttled",
                    params={"seconds": self.wait_seconds},
                )
        return super().clean()

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not type(self).allowed(user):
            raise self.get_invalid_login_error()


def refused_login(form: StaffAuthenticationForm, response: HttpResponse) -> HttpResponse:
    """A refused staff login: 429 with ``Retry-After`` while the user name must wait."""
    if form.wait_seconds:
        response.status_code = 429
        response["Retry-After"] = str(form.wait_seconds)
    return response


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """django-axes calls this instead of logging in once a user name has failed too often from
    one address: a page that says so and when to try again (429), never which account."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    record_event(
        action="staff.login_locked_out",
        origin=request_origin(request, channel="staff"),
        object_type="staff",
        outcome=Outcome.REFUSED,
    )
    return render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code"),
        max_length=6,
        min_length=6,
        help_text=_(
            "The code your authenticator app shows now for myKEPlive. It changes every 30 seconds."
        ),
        error_messages={
            "required": _("Type the six-digit code from your authenticator app."),
            "min_length": _("The code has six digits."),
            "max_length": _("The code has six digits."),
        },
    )

    def clean_token(self) -> str:
        token = "".join(self.cleaned_data["token"].split())
        if not token.isdigit():
            raise forms.ValidationError(_("The code has six digits, nothing else."))
        return token


def _safe_next(request: HttpRequest, default: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _enrolling_device(request: HttpRequest) -> TOTPDevice:
    device_id = request.session.get(_ENROLLING)
    device = (
        TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()
        if device_id
        else None
    )
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name=str(_("Authenticator app")), confirmed=False
        )
        request.session[_ENROLLING] = device.pk
    return device


def _qr_svg(device: TOTPDevice) -> str:
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(scale=4, title=str(_("QR code to add myKEPlive to an authenticator app")))


@never_cache
def second_factor(
    request: HttpRequest,
    *,
    login_url: str,
    default_next: str,
    allowed: Allowed,
    heading: str,
) -> HttpResponse:
    """The second step of a staff sign-in: verify (or, the first time, enrol) a TOTP device."""
    user = request.user
    if not user.is_authenticated or not allowed(user):
        return HttpResponseRedirect(login_url)
    next_url = _safe_next(request, default_next)
    if user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(next_url)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    enrolling = device is None
    if device is None:
        device = _enrolling_device(request)
    origin = request_origin(request, channel="staff")
    form = SecondFactorForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        allowed_now, throttle = device.verify_is_allowed()
        if not allowed_now:
            wait = (throttle or {}).get("locked_until")
            seconds = (
                max(1, int((wait - dt.datetime.now(tz=dt.UTC)).total_seconds())) if wait else 0
            )
            error = str(
                _(
                    "Too many wrong codes. Wait %(seconds)s seconds, "
                    "then type the code showing then."
                )
                % {"seconds": seconds or 1}
            )
        elif device.verify_token(form.cleaned_data["token"]):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop(_ENROLLING, None)
                record_event(
                    action="staff.second_factor_enrolled",
                    actor=user,
                    origin=origin,
                    object_type="staff",
                    object_id=str(user.pk),
                )
            otp_login(request, device)
            record_event(
                action="staff.logged_in",
                actor=user,
                origin=origin,
                object_type="staff",
                object_id=str(user.pk),
            )
            return HttpResponseRedirect(next_url)
        else:
            record_event(
                action="staff.second_factor_failed",
                actor=user,
                origin=origin,
                object_type="staff",
                object_id=str(user.pk),
                outcome=Outcome.REFUSED,
            )
            error = str(
                _(
                    "That code is not right. Type the code your app shows now; "
                    "it changes every 30 seconds."
                )
            )
        if error:
            form.add_error("token", error)
    context = {
        "form": form,
        "heading": heading,
        "next": next_url,
        "enrolling": enrolling,
        "secret": _grouped_secret(device) if enrolling else "",
        "qr_svg": mark_safe(_qr_svg(device)) if enrolling else "",  # noqa: S308 - segno's own SVG
    }
    status = 200 if request.method == "GET" or not form.errors else 400
    return render(request, "accounts/second_factor.html", context, status=status)


def _grouped_secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def staff_page(
    *, allowed: Allowed, login_url_name: str, verify_url_name: str, forbidden_template: str
) -> Callable[[View], View]:
    """A decorator for staff pages: anonymous visitors go to the login and are brought back;
    anyone signed in whom ``allowed`` refuses gets 403; allowed staff whose second factor is not
    yet verified go to the code page. Never cached (staff pages show personal data)."""

    def decorator(view: View) -> View:
        @never_cache
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), login_url=reverse(login_url_name))
            if not allowed(request.user):
                return render(request, forbidden_template, status=403)
            if not request.user.is_verified():  # type: ignore[attr-defined]
                return HttpResponseRedirect(
                    with_next(reverse(verify_url_name), request.get_full_path())
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def second_factor_verified(user: Any, session: Any) -> bool:
    """Whether ``session`` carries ``user``'s verified second factor: the same test django-otp's
    middleware makes for pages (a confirmed device of this user named in the session), for the
    doors that middleware does not guard — WebSockets (issue 11 finding 1)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    if not getattr(user, "is_authenticated", False) or session is None:
        return False
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    try:
        device = Device.from_persistent_id(persistent_id)
    except (ValueError, LookupError):
        return False
    return bool(device is not None and device.user_id == user.pk and device.confirmed)


DEMO_DEVICE_NAME = "demo"


def ensure_totp_device(user: Any, *, key: str) -> TOTPDevice:
    """Give ``user`` a confirmed TOTP device with the published ``key`` (demo accounts only:
    ``load_demo`` refuses demo logins in production)."""
    device, created = TOTPDevice.objects.get_or_create(
        user=user, name=DEMO_DEVICE_NAME, defaults={"key": key, "confirmed": True}
    )
    if not created and (device.key != key or not device.confirmed):
        device.key, device.confirmed = key, True
        device.save(update_fields=["key", "confirmed"])
    return device


def current_code(device: TOTPDevice) -> str:
    """The code ``device`` accepts now, as an authenticator app would show it."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def session_ended_notice(request: HttpRequest) -> str:
    """Why this browser's previous staff session ended, once, for the login page; "" if it was
    not ended by a limit (``keplive.accounts.sessions``)."""
    reason = request.session.pop(sessions.ENDED, "")
    if reason == "idle":
        return str(
            _(
                "You were signed out because there was no activity for %(minutes)s minutes. "
                "Sign in again to continue."
            )
            % {"minutes": settings.KEPLIVE_STAFF_IDLE_MINUTES}
        )
    if reason == "absolute":
        return str(
            _(
                "You were signed out because %(hours)s hours have passed since you signed in. "
                "Sign in again to continue."
            )
            % {"hours": settings.KEPLIVE_STAFF_ABSOLUTE_HOURS}
        )
    return ""
