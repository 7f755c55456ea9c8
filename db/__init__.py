"""Marginalia's core: models, migrations, import, annotation and export — no Qt here."""
