"""Background jobs: the Huey queue, exports that run as jobs, "My downloads"."""
