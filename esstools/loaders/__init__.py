"""Readers for the official French open-data formats (one module per source).

Every loader checks its input and returns a tidy table with documented columns;
see each module's docstring for the schema and its source.
"""
