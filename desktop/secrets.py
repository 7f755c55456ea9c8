"""Server passwords in the system keyring, when the system has one; never in our files."""

from __future__ import annotations

SERVICE = "Marginalia"


def load_password(account: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(SERVICE, account)
    except Exception:  # no keyring backend on this system (e.g. a headless Linux)
        return None


def save_password(account: str, password: str) -> bool:
    """True when the keyring took it; False when the system has no usable keyring."""
    try:
        import keyring

        keyring.set_password(SERVICE, account, password)
        return True
    except Exception:
        return False
