"""Security headers on every response. Pages use no inline scripts, so the policy forbids them."""

from __future__ import annotations

# paper thumbnails Hugging Face sent are shown from its CDN, the one outside host pages load
THUMBNAIL_HOST = "https://cdn-thumbnails.huggingface.co"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    f"img-src 'self' data: {THUMBNAIL_HOST}; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# The interactive docs (web/docs.py) load Swagger UI / ReDoc from this host, with an inline
# bootstrap script; ReDoc runs a web worker from a blob.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
