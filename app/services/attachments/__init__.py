"""Media: customers' downloads, agents' uploads, GridFS storage and signed public links."""
