"""Pages of candidates, one module per domain noun. Thin: access, a form, one service call."""
