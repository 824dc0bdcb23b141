"""What admins configure: queues, canned answers, labels, the template catalog and its rendering, shared record helpers."""
