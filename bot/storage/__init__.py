"""Storage: the SQLite store and its migrations, the only package that speaks SQL."""
