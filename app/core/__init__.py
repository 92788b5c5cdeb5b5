"""What every domain shares: base model, permissions, list helpers, security, the home page."""
