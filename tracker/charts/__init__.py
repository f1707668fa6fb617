"""Shared rules of the server-rendered SVG charts (round axis ticks)."""
