"""Pages of sessions_app, one module per domain noun. Thin: access, a form, one service call."""
