"""The limit the city benchmark compares every page with: a bare Flask endpoint, served by the
same gunicorn settings as the site (``gunicorn -w 2 bench.bare:app``), answering a few bytes."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def bare() -> str:
    return "ok"
