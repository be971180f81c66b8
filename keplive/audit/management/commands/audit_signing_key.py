import base64
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management.base import BaseCommand

from keplive.audit import signing


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 key for KEPLIVE_AUDIT_SIGNING_KEY and its public key (for "
        "KEPLIVE_AUDIT_VERIFY_KEYS after a rotation, and for auditors). Nothing is stored."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        private = signing.new_signing_key()
        key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private))
        public = base64.b64encode(signing.public_bytes(key.public_key())).decode("ascii")
        self.stdout.write(f"KEPLIVE_AUDIT_SIGNING_KEY={private}")
        self.stdout.write(f"# public key (key id {signing.key_id(key.public_key())}): {public}")
