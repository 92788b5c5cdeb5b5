"""Scheduled alerts: each domain declares its daily alerts; this package runs them once."""
