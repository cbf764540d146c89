"""The WSGI application gunicorn serves (`hyposti serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hyposti.service.settings")
application = get_wsgi_application()
