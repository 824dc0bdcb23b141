"""Routing: agents' presence and capacity, and who is offered each waiting interaction when."""
