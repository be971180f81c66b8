"""ICE servers: STUN from the settings, per-participant TURN REST credentials as coturn checks
them (use-auth-secret), and no TURN entry without a secret."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging

import pytest
from django.core.exceptions import ImproperlyConfigured

from keplive.calls.ice import ice_servers

SECRET = "coturn-static-auth-secret-4f7a"
NOW = dt.datetime(2026, 12, 3, 9, 30, tzinfo=dt.UTC)
STUN = ["stun:turn.keplive.example:3478"]
TURN = [
    "turn:turn.keplive.example:3478?transport=udp",
    "turns:turn.keplive.example:443?transport=tcp",
]


@pytest.fixture
def turn(settings):  # type: ignore[no-untyped-def]
    settings.KEPLIVE_STUN_URLS = STUN
    settings.KEPLIVE_TURN_URLS = TURN
    settings.KEPLIVE_TURN_SECRET = SECRET
    settings.KEPLIVE_TURN_TTL_SECONDS = 3600
    return settings


def _turn_entry(servers: list[dict]) -> dict:
    (entry,) = [server for server in servers if "credential" in server]
    return entry


def test_development_gives_no_ice_servers_on_loopback(settings):
    settings.KEPLIVE_STUN_URLS = []
    settings.KEPLIVE_TURN_URLS = []
    settings.KEPLIVE_TURN_SECRET = ""
    assert ice_servers(participant="KEP-ABC123-citizen", now=NOW) == []


def test_stun_servers_come_first_without_credentials(turn):
    servers = ice_servers(participant="KEP-ABC123-citizen", now=NOW)
    assert servers[0] == {"urls": STUN}
    assert servers[1]["urls"] == TURN


def test_the_credential_is_the_hmac_sha1_of_the_username_as_coturn_computes_it(turn):
    entry = _turn_entry(ice_servers(participant="KEP-ABC123-citizen", now=NOW))
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), entry["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert entry["credential"] == expected
    # Computed outside Python: echo -n "$username" | openssl sha1 -hmac "$secret" -binary | base64
    assert entry["credential"] == "gqQA9lMOSfvL7YghZ0jCMC+vJoU="


def test_the_username_is_the_expiry_then_the_participant(turn):
    entry = _turn_entry(ice_servers(participant="KEP-ABC123-citizen", now=NOW))
    expiry, participant = entry["username"].split(":")
    assert participant == "KEP-ABC123-citizen"
    assert int(expiry) == int(NOW.timestamp()) + 3600
    turn.KEPLIVE_TURN_TTL_SECONDS = 600
    entry = _turn_entry(ice_servers(participant="KEP-ABC123-citizen", now=NOW))
    assert entry["username"] == f"{int(NOW.timestamp()) + 600}:KEP-ABC123-citizen"


def test_the_expiry_does_not_depend_on_the_time_zone_of_now(turn):
    athens = NOW.astimezone(dt.timezone(dt.timedelta(hours=2)))
    assert ice_servers(participant="p1", now=athens) == ice_servers(participant="p1", now=NOW)


def test_each_participant_gets_its_own_username_and_credential(turn):
    employee = _turn_entry(ice_servers(participant="KEP-ABC123-employee", now=NOW))
    citizen = _turn_entry(ice_servers(participant="KEP-ABC123-citizen", now=NOW))
    interpreter = _turn_entry(ice_servers(participant="KEP-ABC123-interpreter", now=NOW))
    assert len({employee["username"], citizen["username"], interpreter["username"]}) == 3
    assert len({employee["credential"], citizen["credential"], interpreter["credential"]}) == 3


@pytest.mark.parametrize(("urls", "secret"), [(TURN, ""), ([], SECRET)])
def test_no_turn_entry_without_both_urls_and_a_secret(turn, urls, secret):
    turn.KEPLIVE_TURN_URLS = urls
    turn.KEPLIVE_TURN_SECRET = secret
    servers = ice_servers(participant="KEP-ABC123-citizen", now=NOW)
    assert servers == [{"urls": STUN}]
    assert all("credential" not in server and "username" not in server for server in servers)


def test_the_secret_appears_nowhere_in_the_reply_or_the_logs(turn, caplog):
    caplog.set_level(logging.DEBUG)
    servers = ice_servers(participant="KEP-ABC123-citizen", now=NOW)
    assert SECRET not in repr(servers)
    assert SECRET not in caplog.text


@pytest.mark.parametrize("participant", ["", "a:b", "ΜΑΡΙΑ", "x" * 129, "name with spaces", "p\n1"])
def test_a_participant_id_that_is_not_opaque_is_refused(turn, participant):
    with pytest.raises(ValueError, match="opaque id"):
        ice_servers(participant=participant, now=NOW)


def test_a_naive_now_is_refused(turn):
    with pytest.raises(ValueError, match="aware"):
        ice_servers(participant="p1", now=dt.datetime(2026, 12, 3, 9, 30))


@pytest.mark.parametrize(
    ("name", "value"),
    [("KEPLIVE_STUN_URLS", ["turn:turn.example:3478"]), ("KEPLIVE_TURN_URLS", ["https://x"])],
)
def test_a_url_of_the_wrong_scheme_is_a_configuration_error(turn, name, value):
    setattr(turn, name, value)
    with pytest.raises(ImproperlyConfigured):
        ice_servers(participant="p1", now=NOW)
