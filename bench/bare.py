"""The limit the site's pages are measured against: a bare Flask endpoint, served by the same
gunicorn settings as the site (``gunicorn -w 2 -b 127.0.0.1:8766 bench.bare:app``), answering a
few bytes at ``/`` (city.sh) and ``/healthz`` (page_cache.py)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/healthz")
def bare() -> str:
    """A few bytes of text: Flask's and gunicorn's own cost, nothing else."""
    return "ok"
