"""The branch's contact telephone, which the printed board carries in its 落款."""

from typing import Any

from flask import render_template, url_for
from flask_login import current_user

from starrating.blueprints.branch import bp
from starrating.blueprints.changes import submit_change
from starrating.forms.board import BranchContactForm
from starrating.permissions import allow
from starrating.rules.vocabulary import Role
from starrating.services.org import set_branch_contact


@bp.route("/contact")
@allow(Role.SECRETARY)
def contact() -> Any:
    village = current_user.village
    return render_template(
        "branch/contact.html", village=village, form=BranchContactForm(phone=village.contact_phone)
    )


@bp.route("/contact", methods=["POST"])
@allow(Role.SECRETARY)
def set_contact() -> Any:
    form = BranchContactForm()
    return submit_change(
        form,
        lambda: set_branch_contact(
            actor=current_user, village=current_user.village, phone=form.phone.data or ""
        ),
        done="已保存。公示栏和打印的公示栏落款会显示这个联系电话",
        back=url_for("branch.contact"),
    )
