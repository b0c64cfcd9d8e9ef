"""Use cases that write: keyword-only, typed; they check meaning, call rules, add and flush,
record the audit event, and never commit (the request commits once)."""


class ServiceError(Exception):
    """A request that makes no sense for the data as it is; message is shown to the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StaleEdit(ServiceError):
    def __init__(self) -> None:
        super().__init__("这条记录在您打开表单后已被修改，请查看最新内容后重新填写。")


def ensure_unchanged(current: object, shown: str | None) -> None:
    """Refuse (StaleEdit) a save made on a form that showed another value than the one stored
    now (rules/stale.py)."""
    from starrating.rules.stale import changed_since_shown

    if changed_since_shown(current, shown):
        raise StaleEdit()
