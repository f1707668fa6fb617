"""Getting started: the short checklist a new organisation's admins see on the board."""
