"""WSGI entry for gunicorn: the OpenStack services parse sys.argv with oslo.config, and
gunicorn's own arguments would make them fail ("unrecognized arguments"). Reset argv, then
import the application named by GXS_WSGI (module:attribute)."""
import importlib
import os
import sys

sys.argv = sys.argv[:1]
_module, _attr = os.environ["GXS_WSGI"].split(":")
application = getattr(importlib.import_module(_module), _attr)
