"""The trial's web pages: Django templates + HTMX over the service layer (no rule lives here).

Views read through the service's selectors (and this package's, for page summaries) and write
only through the service's functions, so the permission matrix and the protocol's rules apply
exactly as they do through the REST API.
"""
