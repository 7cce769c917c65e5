"""Writes: each function checks the domain rules, then adds rows to the session.

Callers commit; a rule violation raises before anything is committed, so a
request either writes everything or nothing.
"""
