"""Labelling views, split by topic like the services."""
