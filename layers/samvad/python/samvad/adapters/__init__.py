"""boto3 adapters behind the domain's ports. Each takes an optional client (for tests)."""
