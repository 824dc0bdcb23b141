"""Use cases shared by views, Socket.IO handlers, workers and the CLI; framework-free."""
