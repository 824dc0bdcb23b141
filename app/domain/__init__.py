"""Document shapes and the rules on them; no database, no framework."""
