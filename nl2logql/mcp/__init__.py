"""The MCP server (``nl2logql mcp``): the assistant as tools an AI agent calls.

:mod:`tools` holds the tools as plain functions over a backend and a lazily loaded
assistant (usable without any transport), :mod:`limits` what they accept and how much
they return, :mod:`schemas` the typed JSON they answer with, :mod:`resources` the cheat
sheet and example questions, :mod:`server` registers it all on the official SDK, and
:mod:`http` serves it over streamable HTTP behind an optional bearer token.
"""
