"""Pure domain rules: standard library only, no Flask and no SQLAlchemy.

A rule gets facts and the scheme, and returns an outcome that explains itself.
"""
