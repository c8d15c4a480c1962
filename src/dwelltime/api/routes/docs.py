"""The interactive API docs at /docs, with Swagger UI served from an installed package.

FastAPI's default page loads Swagger UI from a CDN, which fails on the offline machines
dwelltime often runs on; these assets ship with the `swagger-ui-bundle` dependency.
"""

from __future__ import annotations

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/docs/assets"


def mount_docs(app: FastAPI) -> None:
    """Serve /docs and its assets from this process (the app is built with docs_url=None)."""
    app.mount(
        ASSETS_PATH,
        StaticFiles(directory=swagger_ui_bundle.swagger_ui_path),
        name="docs-assets",
    )

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
        )
