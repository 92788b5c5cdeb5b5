"""Cell-therapy business rules, one module per topic (services flush, never commit)."""
