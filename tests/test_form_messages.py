"""Every form of every role, each field sent each kind of nonsense: every message it shows is in
Chinese (issue 14). WTForms' own messages ("This field is required.", "Not a valid choice.")
come through the Chinese translations of forms/base.py."""

import importlib
import inspect
import pkgutil
import re

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

import starrating.forms
from starrating.forms.base import ChineseForm, ChineseSubform

NONSENSE = ["", "   ", "abc", "-1", "1e308", "x" * 5000, "２０２６－１３－４５", "9" * 24]
ENGLISH = re.compile(r"[A-Za-z]{3,}")
QUOTED = re.compile(r"“[^”]*”|「[^」]*」")  # what the user typed, quoted back
ALLOWED = {"xlsx", "xls", "xlsm", "csv", "WPS", "Excel", "ABCDE", "FGHJK"}


def form_classes() -> list[type[Form]]:
    found = []
    for info in pkgutil.iter_modules(starrating.forms.__path__):
        module = importlib.import_module(f"starrating.forms.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            ours = cls.__module__.startswith("starrating.forms")
            if ours and issubclass(cls, Form) and cls not in (ChineseForm, ChineseSubform):
                found.append(cls)
    module = starrating.forms
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if issubclass(cls, Form) and cls.__module__ == "starrating.forms":
            found.append(cls)
    return sorted(set(found), key=lambda c: (c.__module__, c.__name__))


def messages(errors) -> list[str]:
    if isinstance(errors, dict):
        return [m for value in errors.values() for m in messages(value)]
    if isinstance(errors, (list, tuple)):
        return [m for value in errors for m in messages(value)]
    return [str(errors)]


def test_every_form_derives_from_the_chinese_base():
    classes = form_classes()
    assert len(classes) >= 30
    english = [c.__name__ for c in classes if not issubclass(c, (ChineseForm, ChineseSubform))]
    assert english == []


@pytest.mark.parametrize("form_class", form_classes(), ids=lambda c: c.__name__)
def test_no_form_answers_nonsense_in_english(app, form_class):
    shown: set[str] = set()
    with app.test_request_context(method="POST"):
        fields = form_class(formdata=None)
        names = [field.name for field in fields]
        for value in NONSENSE:
            form = form_class(formdata=MultiDict([(name, value) for name in names]))
            for field in form:
                if getattr(field, "choices", ()) is None:
                    field.choices = []  # a view fills them in; none offered is the worst case
            form.validate()
            shown.update(messages(form.errors))
    english = [m for m in shown if set(ENGLISH.findall(QUOTED.sub("", m))) - ALLOWED]
    assert english == [], english
