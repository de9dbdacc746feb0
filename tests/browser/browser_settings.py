"""The project's settings, plus the one thing the browser test needs that they may lack.

The vendored Pico CSS and app.css live in src/tracebureau/static/, which is not an app's static
folder; unless settings.STATICFILES_DIRS names it, runserver (through WhiteNoise's finders)
answers 404 for them and every page is unstyled.
"""

from tracebureau.settings import *  # noqa: F403
from tracebureau.settings import PACKAGE_DIR

_STATIC = PACKAGE_DIR / "static"
STATICFILES_DIRS = list(globals().get("STATICFILES_DIRS", []))
if _STATIC not in STATICFILES_DIRS:
    STATICFILES_DIRS.append(_STATIC)
