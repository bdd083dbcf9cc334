"""User data: paths, database, recorded sessions, packs (the only layer doing file I/O)."""
