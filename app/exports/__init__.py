"""Render rows and flowables to Excel and PDF downloads for every domain."""
