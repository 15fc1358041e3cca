"""Rules over a session, one module per resource. Routes call these; these call the domain."""
