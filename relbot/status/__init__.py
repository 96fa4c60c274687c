"""Which release lines exist and are supported: the status use case and the store sync."""
