"""Reading interactions: the list's queries and rows, one interaction's page, the transcript ZIP."""
