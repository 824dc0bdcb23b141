"""Who may see and act on what: interaction access rules and Socket.IO room membership."""
