"""Reading GSIS's userinfo reply: XML on success, JSON on error.

The XML is parsed with defusedxml and any DTD is refused, so entity expansion ("billion laughs")
and external entities never reach the parser. Only what booking needs is kept: the tax number
(normalised and checked) and the names.
"""

from __future__ import annotations

import json
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from keplive.integrations.gsis.base import (
    GsisRefused,
    InvalidTaxIdReply,
    MalformedReply,
    UnsafeXml,
    Userinfo,
)
from keplive.integrations.gsis.taxid import InvalidTaxId, clean_tax_id

NAME_MAX_LENGTH = 100
# A userinfo reply is a few hundred bytes; anything far larger is not one.
MAX_REPLY_BYTES = 64 * 1024


def parse_userinfo(body: bytes) -> Userinfo:
    """The citizen in a userinfo reply. Raises ``GsisRefused`` for a JSON error reply,
    ``UnsafeXml``, ``MalformedReply`` or ``InvalidTaxIdReply``."""
    if len(body) > MAX_REPLY_BYTES:
        raise MalformedReply("The userinfo reply is too large.")
    if body.lstrip()[:1] in (b"{", b"["):
        raise GsisRefused("GSIS answered userinfo with an error.", error=oauth_error_code(body))
    try:
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise UnsafeXml() from exc
    except (ParseError, ValueError) as exc:
        raise MalformedReply("The userinfo reply is not well-formed XML.") from exc
    element = _userinfo_element(root)
    try:
        tax_id = clean_tax_id(element.get("taxid", ""))
    except InvalidTaxId as exc:
        raise InvalidTaxIdReply() from exc
    return Userinfo(
        tax_id=tax_id,
        first_name=_name(element, "firstname", required=True),
        last_name=_name(element, "lastname", required=True),
        father_name=_name(element, "fathername", required=False),
    )


def oauth_error_code(body: bytes) -> str:
    """The ``error`` code of a JSON error reply, short and printable; "" when there is none.
    The free-text ``error_description`` is never read: it could carry anything."""
    try:
        reply = json.loads(body)
    except ValueError:
        return ""
    return safe_error_code(reply.get("error") if isinstance(reply, dict) else None)


def safe_error_code(code: object) -> str:
    """An OAuth2 error code as it may go to a log: ASCII letters, digits and ``_.-``, 64 at most."""
    if not isinstance(code, str):
        return ""
    return "".join(ch for ch in code[:64] if ch.isascii() and (ch.isalnum() or ch in "_.-"))


def _userinfo_element(root: Element) -> Element:
    if root.tag == "userinfo":
        return root
    element = root.find("userinfo") if root.tag == "root" else None
    if element is None:
        raise MalformedReply("The userinfo reply has no <userinfo> element.")
    return element


def _name(element: Element, attribute: str, *, required: bool) -> str:
    value = " ".join((element.get(attribute) or "").split())
    if (required and not value) or len(value) > NAME_MAX_LENGTH:
        raise MalformedReply(f"The userinfo attribute {attribute!r} is missing or too long.")
    return value
