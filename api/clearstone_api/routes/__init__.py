"""HTTP only, one module per resource: parse, call a service, return its model."""
