"""Rollout waves and training sessions with assessment scores."""
