"""The ASGI application for uvicorn: ``uvicorn tracker.asgi:app``."""

from tracker.app import create_app

app = create_app()
