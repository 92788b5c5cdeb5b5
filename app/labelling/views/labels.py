"""Labelling views."""
