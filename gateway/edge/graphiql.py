"""GraphiQL, served entirely by the gateway: the page at ``GET /graphql`` (from a browser) and
its scripts and styles at ``/graphiql/assets/…``, shipped in the package (``static/graphiql/``,
whose README names each file's npm package, version and licence).  Nothing comes from a CDN, so
GraphiQL works without internet.  ``GATEWAY_GRAPHIQL`` switches it off (off by default in
production).
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

ASSETS_PATH = "/graphiql/assets"
ASSETS = Path(__file__).parent / "static" / "graphiql"

# (file, Subresource Integrity hash): the npm registry's files, byte for byte.
_SCRIPTS = (
    (
        "react-18.2.0.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    (
        "react-dom-18.2.0.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    ("graphiql-3.8.3.min.js", "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie"),
    (
        "graphiql-plugin-explorer-1.0.2.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
)
_STYLES = (
    ("graphiql-3.8.3.min.css", "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM"),
    (
        "graphiql-plugin-explorer-1.0.2.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
)

# The page Strawberry ships (strawberry/static/graphiql.html), with its assets served from here,
# without a subscription URL (GraphiQL's WebSocket client is not among the pinned assets:
# subscriptions are tried with a graphql-ws client, docs/subscriptions.md) and without the CSRF cookie
# (the gateway takes bearer tokens, never cookies).
_PAGE = """<!doctype html>
<html>
  <head>
    <title>bc-gateway · GraphiQL</title>
    <style>
      body {{ height: 100%; margin: 0; width: 100%; overflow: hidden; }}
      #graphiql {{ height: 100vh; display: flex; }}
      .graphiql-explorer-actions select {{ margin-left: 4px; }}
    </style>
{styles}
{scripts}
  </head>
  <body>
    <div id="graphiql" class="graphiql-container">Loading…</div>
    <script>
      const parameters = {{}};
      for (const entry of window.location.search.slice(1).split("&")) {{
        const eq = entry.indexOf("=");
        if (eq >= 0) {{
          parameters[decodeURIComponent(entry.slice(0, eq))] = decodeURIComponent(entry.slice(eq + 1));
        }}
      }}
      function updateURL(data) {{
        Object.assign(parameters, data);
        const search = Object.keys(parameters)
          .filter((key) => Boolean(parameters[key]))
          .map((key) => encodeURIComponent(key) + "=" + encodeURIComponent(parameters[key]))
          .join("&");
        history.replaceState(null, null, "?" + search);
      }}
      const fetcher = GraphiQL.createFetcher({{ url: window.location.href.split("?")[0] }});
      function GraphiQLWithExplorer() {{
        const [query, setQuery] = React.useState(parameters.q || "{{ me {{ number name }} }}");
        const [variables, setVariables] = React.useState(parameters.variables);
        const [headers, setHeaders] = React.useState(parameters.headers);
        return React.createElement(GraphiQL, {{
          fetcher: fetcher,
          defaultEditorToolsVisibility: true,
          plugins: [GraphiQLPluginExplorer.explorerPlugin()],
          query: query,
          variables: variables,
          headers: headers,
          onEditQuery: (value) => {{ setQuery(value); updateURL({{ q: value }}); }},
          onEditVariables: (value) => {{ setVariables(value); updateURL({{ variables: value }}); }},
          onEditHeaders: setHeaders,
          inputValueDeprecation: true,
          isHeadersEditorEnabled: true,
          shouldPersistHeaders: true,
        }});
      }}
      ReactDOM.createRoot(document.getElementById("graphiql")).render(
        React.createElement(GraphiQLWithExplorer),
      );
    </script>
  </body>
</html>
"""


def graphiql_page() -> str:
    """The GraphiQL page; every script and style it loads is one of this package's files."""
    styles = "\n".join(
        f'    <link rel="stylesheet" href="{ASSETS_PATH}/{name}" integrity="{sri}" />'
        for name, sri in _STYLES
    )
    scripts = "\n".join(
        f'    <script src="{ASSETS_PATH}/{name}" integrity="{sri}"></script>' for name, sri in _SCRIPTS
    )
    return _PAGE.format(styles=styles, scripts=scripts)


def graphiql_assets() -> Mount:
    """``/graphiql/assets/…``: the page's scripts and styles."""
    return Mount(ASSETS_PATH, app=StaticFiles(directory=ASSETS), name="graphiql-assets")
