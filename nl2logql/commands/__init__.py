"""The CLI's commands, one module per area; ``nl2logql.cli`` registers them."""
