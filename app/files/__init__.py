"""Stored uploads: one model, bytes outside static/, type sniffed from content."""
