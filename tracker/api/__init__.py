"""The versioned JSON API and its per-organisation tokens."""
