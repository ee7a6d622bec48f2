"""The limit the site's pages are measured against: a bare Flask endpoint, served the same way.

gunicorn -w 2 -b 127.0.0.1:8766 bench.bare:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/healthz")
def bare() -> str:
    """A few bytes of text: Flask's and gunicorn's own cost, nothing else."""
    return "ok"
