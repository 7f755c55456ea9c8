"""Exports that run headless (CLI) and from the GUI alike."""
