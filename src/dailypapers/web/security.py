"""Security headers on every response. Pages use no inline scripts, so the policy forbids them."""

from __future__ import annotations

from dailypapers.papers.hf import IMAGE_HOSTS


def csp(remote_images: bool) -> str:
    """The pages' policy. Images load from this site, and from Hugging Face's thumbnail and
    avatar CDNs only when the instance shows remote images (DAILYPAPERS_REMOTE_IMAGES)."""
    hosts = "".join(f" {host}" for host in IMAGE_HOSTS) if remote_images else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src 'self' data:{hosts}; "
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
