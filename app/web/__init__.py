"""Web plumbing: route access, sign-in sessions, navigation, response headers and the error handler."""
