"""The improvement-program tracker."""

import os

# Piccolo finds its configuration through this variable (migrations, the piccolo CLI).
os.environ.setdefault("PICCOLO_CONF", "tracker.piccolo_conf")
