"""Stock demo data: the seeding step of `flask seed demo` and the large benchmark set."""
