"""Read functions f(session, ...) returning plain records; a fixed number of queries each."""
