"""The web layer: thin views that load, call a service, commit once and redirect."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from starrating.blueprints import auth, ballot, board, branch, township
    from starrating.web import install_url_converters

    install_url_converters(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(township.bp, url_prefix="/township")
    app.register_blueprint(branch.bp, url_prefix="/branch")
    app.register_blueprint(ballot.bp, url_prefix="/v")
    app.register_blueprint(board.bp)  # /<village code>/board: the public notice board
