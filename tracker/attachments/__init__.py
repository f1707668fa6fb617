"""Attachments (issue 16): files on gate evidence (per criterion of a review), problems,
pilots and SOP versions, kept through ``tracker.uploads`` (checks, quota, storage back-ends)."""
