"""The second factor and the lockout of staff sign-in (keplive/accounts/staff_login.py), through
both doors that use it: the workspace (KEP staff) and the administration (ministry)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from keplive.accounts.models import Role
from keplive.accounts.staff_login import current_code, ensure_totp_device
from keplive.audit.models import AuditEvent
from tests.factories import EmployeeFactory, UserFactory
from tests.staff import totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


def staff(role: str = Role.EMPLOYEE):  # type: ignore[no-untyped-def]
    if role in (Role.EMPLOYEE, Role.SUPERVISOR):
        user = EmployeeFactory(user__role=role).user
    else:
        user = UserFactory(role=role)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


DOORS = [
    ("/workspace/", Role.EMPLOYEE),
    ("/administration/", Role.ADMINISTRATOR),
]


def password_step(client: Client, door: str, user, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(f"{door}login/", {"username": user.username, "password": password})


@pytest.mark.parametrize(("door", "role"), DOORS)
def test_first_sign_in_enrols_an_authenticator_app(client, door, role):
    user = staff(role)
    verify = password_step(client, door, user)["Location"]
    page = client.get(verify)
    assert page.status_code == 200
    content = page.content.decode()
    assert "<svg" in content  # the QR code
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    # The key typed by hand is on the page, in groups of four.
    assert page.context["secret"].replace(" ", "") in content.replace(" ", "")
    # Reloading the page keeps the same key: the app the user just scanned stays valid.
    client.get(verify)
    assert TOTPDevice.objects.filter(user=user).count() == 1

    response = client.post(verify, {"token": current_code(device)})
    assert response.status_code == 302
    assert response["Location"] == door
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(door).status_code == 200
    assert AuditEvent.objects.filter(action="staff.second_factor_enrolled", actor=user).exists()


@pytest.mark.parametrize(("door", "role"), DOORS)
def test_a_wrong_code_is_refused_with_a_clear_message(client, door, role):
    user = staff(role)
    device = totp_device(user)
    verify = password_step(client, door, user)["Location"]
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(verify, {"token": wrong})
    assert response.status_code == 400
    assert response.context["form"].errors["token"]
    assert client.get(door).status_code == 302
    assert AuditEvent.objects.filter(
        action="staff.second_factor_failed", actor=user, outcome="refused"
    ).exists()
    for bad in ("", "12345", "abcdef", "1234567"):
        response = client.post(verify, {"token": bad})
        assert response.status_code == 400, bad
        assert response.context["form"].errors["token"], bad


def test_repeated_wrong_codes_slow_the_device_down(client):
    user = staff()
    device = totp_device(user)
    verify = password_step(client, "/workspace/", user)["Location"]
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    client.post(verify, {"token": wrong})
    client.post(verify, {"token": wrong})
    # Throttled now: even the right code waits, and the page says for how long.
    response = client.post(verify, {"token": current_code(device)})
    assert response.status_code == 400
    assert client.get("/workspace/").status_code == 302


def test_a_code_is_used_once(client):
    user = staff()
    device = totp_device(user)
    code = current_code(device)
    verify = password_step(client, "/workspace/", user)["Location"]
    assert client.post(verify, {"token": code}).status_code == 302
    other = Client()
    verify = password_step(other, "/workspace/", user)["Location"]
    assert other.post(verify, {"token": code}).status_code == 400


@pytest.mark.parametrize(("door", "role"), DOORS)
def test_the_code_page_wants_the_password_first(client, door, role):
    response = client.get(f"{door}verify/")
    assert response.status_code == 302
    assert response["Location"] == f"{door}login/"


def test_each_door_is_for_its_own_staff(client):
    employee = staff(Role.EMPLOYEE)
    administrator = staff(Role.ADMINISTRATOR)
    for user, door in ((employee, "/administration/"), (administrator, "/workspace/")):
        response = password_step(client, door, user)
        assert response.status_code == 200
        assert response.context["form"].non_field_errors()
        assert "_auth_user_id" not in client.session


def test_repeated_wrong_passwords_lock_the_user_name_out(client, settings):
    user = staff()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_step(client, "/workspace/", user, "wrong").status_code == 200
    locked = password_step(client, "/workspace/", user, "wrong")
    assert locked.status_code == 429
    # Locked out even with the right password, and the page never names the account.
    again = password_step(client, "/workspace/", user)
    assert again.status_code == 429
    assert user.username not in again.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="staff.login_locked_out").exists()
    # Another user name from the same address is not affected.
    other = staff()
    assert password_step(client, "/workspace/", other).status_code == 302


def test_an_unverified_session_reaches_no_staff_page(client):
    client.force_login(staff(Role.EMPLOYEE))
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response["Location"] == "/workspace/verify/?next=%2Fworkspace%2F"


def test_demo_devices_have_their_published_key(django_user_model):
    user = staff()
    key = "6b65706c6976652d64656d6f2d656d706c6f7965"
    device = ensure_totp_device(user, key=key)
    assert ensure_totp_device(user, key=key).pk == device.pk
    assert device.confirmed
    assert len(current_code(device)) == 6


@pytest.mark.parametrize("enabled", [True, False])
def test_the_dev_codes_page_only_in_development(client, settings, enabled):
    settings.KEPLIVE_MAIL_VIEWER = enabled
    user = staff()
    device = ensure_totp_device(user, key="6b65706c6976652d64656d6f2d656d706c6f7965")
    totp_device(staff())  # not a demo device: never shown
    response = client.get("/dev/codes/")
    if enabled:
        assert response.status_code == 200
        assert response.context["rows"] == [(user.username, current_code(device))]
    else:
        assert response.status_code == 404
