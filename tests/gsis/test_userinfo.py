"""GSIS's userinfo reply: XML parsed safely, JSON errors recognised, only names and the tax
number kept."""

from __future__ import annotations

import dataclasses

import pytest

from keplive.integrations.gsis.base import (
    GsisRefused,
    InvalidTaxIdReply,
    MalformedReply,
    UnsafeXml,
    Userinfo,
)
from keplive.integrations.gsis.userinfo import MAX_REPLY_BYTES, parse_userinfo

DOCUMENTED = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<root><userinfo userid="User053"'
    ' taxid="00123456783" lastname="ΠΑΠΑΔΟΠΟΥΛΟΥ " firstname=" ΜΑΡΙΑ  ΕΛΕΝΗ"'
    ' fathername="ΓΕΩΡΓΙΟΣ" mothername="ΕΛΕΝΗ" birthyear="1985"/></root>'
).encode()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<root><userinfo taxid="123456783" lastname="&lol4;" firstname="X"/></root>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE root [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<root><userinfo taxid="123456783" lastname="&secret;" firstname="X"/></root>"""

DTD_ONLY = b"""<?xml version="1.0"?>
<!DOCTYPE root SYSTEM "http://attacker.example/evil.dtd">
<root><userinfo taxid="123456783" lastname="A" firstname="B"/></root>"""


def test_the_documented_reply_gives_tax_number_and_names():
    assert parse_userinfo(DOCUMENTED) == Userinfo(
        tax_id="123456783",
        first_name="ΜΑΡΙΑ ΕΛΕΝΗ",
        last_name="ΠΑΠΑΔΟΠΟΥΛΟΥ",
        father_name="ΓΕΩΡΓΙΟΣ",
    )


def test_only_the_tax_number_and_names_are_kept():
    names = {f.name for f in dataclasses.fields(Userinfo)}
    assert names == {"tax_id", "first_name", "last_name", "father_name"}


def test_a_missing_fathers_name_is_allowed():
    body = b'<root><userinfo taxid="123456783" lastname="SMITH" firstname="ANNA"/></root>'
    assert parse_userinfo(body).father_name == ""


def test_a_json_error_reply_is_a_refusal_with_its_code():
    body = b'{"error": "invalid_token", "error_description": "ABC 123456783"}'
    with pytest.raises(GsisRefused) as caught:
        parse_userinfo(body)
    assert caught.value.error == "invalid_token"
    assert "123456783" not in str(caught.value)


def test_an_error_code_is_cleaned_before_it_can_reach_a_log():
    with pytest.raises(GsisRefused) as caught:
        parse_userinfo(b'{"error": "bad\\n<script>code"}')
    assert caught.value.error == "badscriptcode"


@pytest.mark.parametrize(
    "body",
    [
        b"<root><userinfo taxid='123456783'",  # truncated
        b"not xml at all",
        b"",
        b"<root><other/></root>",  # no <userinfo>
        b'<root><userinfo taxid="123456783" firstname="A"/></root>',  # no last name
        b'<root><userinfo taxid="123456783" lastname="   " firstname="A"/></root>',
        b'<root><userinfo taxid="123456783" lastname="' + b"A" * 101 + b'" firstname="B"/></root>',
        b"<root>" + b" " * MAX_REPLY_BYTES + b"</root>",  # far larger than any userinfo
    ],
)
def test_malformed_replies_are_refused(body):
    with pytest.raises(MalformedReply):
        parse_userinfo(body)


@pytest.mark.parametrize("taxid", ["123456789", "", "12345678", "ABCDEFGHI"])
def test_a_bad_tax_number_is_refused(taxid):
    body = f'<root><userinfo taxid="{taxid}" lastname="A" firstname="B"/></root>'.encode()
    with pytest.raises(InvalidTaxIdReply):
        parse_userinfo(body)


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, DTD_ONLY])
def test_entity_expansion_external_entities_and_dtds_are_refused_unparsed(body):
    with pytest.raises(UnsafeXml):
        parse_userinfo(body)
