"""Daily sampling: stratified, exactly uniform, verifiable; caller lists and dispatch."""
