"""Marginalia's Qt GUI. Importing this package must not import Qt (the CLI starts here)."""
