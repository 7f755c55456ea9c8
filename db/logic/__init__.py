"""Pure functions (no database, no Qt): text decoding, metadata inference, offsets, CSV cells."""
