"""ASGI entry point: one process serves pages (Django) and WebSockets (Channels).

WebSockets carry call signalling only (docs/calls.md): the session and its user come from the
same cookies as the pages, and a connection whose origin is not the site's public URL (scheme,
host and port) is refused (``keplive.config.websocket``).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from keplive.config.checks import database_connections_are_pooled  # noqa: E402

if refused := database_connections_are_pooled():
    # uvicorn imports this module before it serves: a refused setting stops it here.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("; ".join(f"{error.id}: {error.msg}" for error in refused))

from keplive.calls.routing import websocket_urlpatterns  # noqa: E402  (needs the apps ready)
from keplive.config.observability import RequestIdMiddleware  # noqa: E402
from keplive.config.proxies import with_trusted_proxies  # noqa: E402
from keplive.config.websocket import SameOriginValidator  # noqa: E402

# Outermost, the request id (from a trusted proxy's X-Request-ID or new) for every log line and
# the X-Request-ID answer (keplive.config.observability); then the client's address and scheme:
# from a trusted proxy's forwarding headers, or the peer's own (keplive.config.proxies); the same
# for pages, API and WebSockets.
application = RequestIdMiddleware(
    with_trusted_proxies(
        ProtocolTypeRouter(
            {
                "http": django_application,
                "websocket": SameOriginValidator(
                    AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
                ),
            }
        )
    )
)
