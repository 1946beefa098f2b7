"""The web app's pages, one module per area; each is listed in ``web.app.PAGE_ROUTERS``."""
