"""The Clearstone service: the HTTP API over stored stones, custody chains and assessments.

Import from the module that owns a concept (``from clearstone_api.errors import NotFound``);
build the application with :func:`clearstone_api.app.create_app`.
"""
