"""ASGI entry point: one process serves pages (Django) and, later, WebSockets (Channels)."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keplive.config.settings")

from channels.routing import ProtocolTypeRouter
from django.core.asgi import get_asgi_application

django_application = get_asgi_application()

application = ProtocolTypeRouter({"http": django_application})
