"""Checks a candidate query against its question and the data, and repairs it."""
