"""The signed one-tap link of an offer (``django.core.signing``, a salt of its own).

The link names the offer only; whether it may still be answered is decided by the offer's row
(open, not expired), so an old or forwarded link changes nothing once the offer is closed.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from keplive.waitlist.models import Offer

SALT = "keplive.waitlist.offer"


class OfferLinkNotValid(Exception):
    """Tampered, truncated or not an offer link."""


def offer_token(offer: Offer) -> str:
    return signing.dumps({"o": str(offer.public_id)}, salt=SALT, compress=True)


def offer_id_for_token(token: str) -> str:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature as exc:
        raise OfferLinkNotValid() from exc
    if not (isinstance(data, dict) and isinstance(data.get("o"), str)):
        raise OfferLinkNotValid()
    return str(data["o"])


def offer_url(offer: Offer) -> str:
    return f"{settings.KEPLIVE_PUBLIC_URL}/offers/{offer_token(offer)}/"
