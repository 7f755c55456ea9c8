"""Unit-of-work functions f(session, ...) -> Changes; they never open or commit sessions."""
