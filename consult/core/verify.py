"""/verify/<number>?c=<code>: anyone holding both sees the document's snapshot and whether it stands."""

from flask import Blueprint, render_template, request

from consult.core import documents
from consult.core.qr import qr_svg

bp = Blueprint("documents", __name__)


@bp.get("/verify/<number>")
def verify(number: str):
    """Check a document: its content as issued, and whether it was revoked."""
    document = documents.find(number, request.args.get("c"))
    return render_template("documents/verify.html", document=document, issuer=document.issued_by)


@bp.get("/documents/<number>")
def show(number: str):
    """The printable document (A4) with the QR code of its verify address."""
    document = documents.find(number, request.args.get("c"))
    address = documents.verify_url(document)
    return render_template(
        f"documents/{document.kind}.html",
        document=document,
        content=document.content,
        qr_svg=qr_svg(address, document.number),
        address=address,
        issuer=document.issued_by,
    )
