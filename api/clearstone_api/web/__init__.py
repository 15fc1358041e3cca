"""The consumer's page: check a certificate number in a browser.

Server-rendered HTML that works without JavaScript and loads nothing from outside the service.
``routes.py`` serves the pages, ``presentation.py`` turns the stored public view into plain
language, ``templates/`` and ``static/`` hold the markup and the one stylesheet. The pages read
the same stored view as ``GET /v1/certificates/{number}`` and stay out of the OpenAPI contract.
"""
