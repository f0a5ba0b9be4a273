"""The reference customer portal: static files (``static/``) and its GraphQL operations.

Nothing here runs on the server except ``operations``, which collects the portal's GraphQL
documents for the safelist manifest.  The edge serves the files (``gateway.edge.portal``).
"""
