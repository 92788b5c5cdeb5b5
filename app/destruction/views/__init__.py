"""The destruction screens, one module per topic beside services/ of the same name."""
