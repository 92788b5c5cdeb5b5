"""Business rules of the devices domain; services flush, never commit."""
