"""Loopback/Mongo style ``filter`` objects translated into parameterised PostgreSQL."""

from .query import FilterParser, Query, parse_json
from .sql import TRUE, FieldPolicy, FilterError, Sql, indexed_document
from .where import WhereTranslator

__all__ = [
    "TRUE",
    "FieldPolicy",
    "FilterError",
    "FilterParser",
    "Query",
    "Sql",
    "WhereTranslator",
    "indexed_document",
    "parse_json",
]
