"""ASGI entry point: one process serves pages (Django) and WebSockets (Channels).

WebSockets carry call signalling only (docs/calls.md): the session and its user come from the
same cookies as the pages, and a connection from a page of another site is refused.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

from keplive.config.checks import database_connections_are_pooled  # noqa: E402

if refused := database_connections_are_pooled():
    # uvicorn imports this module before it serves: a refused setting stops it here.
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("; ".join(f"{error.id}: {error.msg}" for error in refused))

from keplive.calls.routing import websocket_urlpatterns  # noqa: E402  (needs the apps ready)

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
