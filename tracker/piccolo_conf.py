"""Piccolo's configuration, read by ``piccolo`` commands and by migrations.

The engine comes from the settings (``DATABASE_URL``); ``tracker.db.use_engine`` may
replace it at run time.
"""

from piccolo.conf.apps import AppRegistry

from tracker.db import make_engine
from tracker.settings import get_settings

DB = make_engine(get_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["tracker.piccolo_app"])
