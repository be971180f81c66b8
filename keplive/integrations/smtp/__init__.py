"""Email (SMTP). Production delivery is Django's SMTP backend speaking to a real relay; ``local``
holds the stand-in, a real SMTP server that drops each message into a folder. The constants
live here so that checks can name the stand-in without loading the server."""

STANDIN_HOST = "127.0.0.1"
STANDIN_PORT = 8025
# Recipients in this domain are refused by the stand-in with 550 (to try a refusal).
REFUSING_DOMAIN = "refused.invalid"
