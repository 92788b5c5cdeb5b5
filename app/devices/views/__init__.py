"""Views of the devices domain, one module per topic."""
