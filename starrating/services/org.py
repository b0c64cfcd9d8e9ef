"""Townships, villages and user accounts."""

import re
import unicodedata

from sqlalchemy import select

from starrating.extensions import db
from starrating.models import Township, User, Village
from starrating.password_policy import PasswordContext, password_problem
from starrating.passwords import generate_password, hash_password, verify_password
from starrating.rules.values import phone_digits
from starrating.rules.vocabulary import Role
from starrating.services import ServiceError
from starrating.services.audit import record_event
from starrating.services.sessions import end_all_sessions

USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{2,39}$")
VILLAGE_CODE_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,39}$")
# as the roster import reads a phone: 11-digit mobile, or a landline with or without area code
CONTACT_PHONE_LENGTH = 20


class WrongPassword(ServiceError):
    """The current password given to confirm a change is not the user's (rate-limited)."""

    def __init__(self) -> None:
        super().__init__("当前密码不正确")


def create_township(*, name: str, actor: User | None = None) -> Township:
    name = name.strip()
    if not name:
        raise ServiceError("乡镇名称不能为空")
    if db.session.scalar(select(Township.id).where(Township.name == name)):
        raise ServiceError(f"乡镇「{name}」已存在")
    township = Township(name=name)
    db.session.add(township)
    db.session.flush()
    record_event(
        actor=actor,
        action="township.create",
        summary=f"创建乡镇「{name}」",
        object_type="township",
        object_id=township.id,
        township_id=township.id,
        after={"name": name},
    )
    return township


def create_village(*, township: Township, name: str, code: str, actor: User | None) -> Village:
    name, code = name.strip(), code.strip().lower()
    if not VILLAGE_CODE_PATTERN.match(code):
        raise ServiceError("村代码只能用小写字母、数字和连字符，以字母开头（如 wengjiabu）")
    if db.session.scalar(select(Village.id).where(Village.code == code)):
        raise ServiceError(f"村代码「{code}」已被使用")
    exists = select(Village.id).where(Village.township_id == township.id, Village.name == name)
    if db.session.scalar(exists):
        raise ServiceError(f"本乡镇已有「{name}」")
    village = Village(township=township, name=name, code=code)
    db.session.add(village)
    db.session.flush()
    record_event(
        actor=actor,
        action="village.create",
        summary=f"创建村「{name}」",
        object_type="village",
        object_id=village.id,
        township_id=township.id,
        village_id=village.id,
        after={"name": name, "code": code},
    )
    return village


def set_branch_contact(*, actor: User, village: Village, phone: str) -> None:
    """The branch's public telephone, printed on the board's 落款; blank clears it. Kept as
    typed (e.g. 0571-88881234), once it reads as a mobile or a landline number."""
    typed = unicodedata.normalize("NFKC", phone).strip() or None
    if typed is not None:
        try:
            phone_digits(typed)
        except ValueError:
            valid = False
        else:
            valid = len(typed) <= CONTACT_PHONE_LENGTH
        if not valid:
            raise ServiceError(
                f"电话号码「{typed}」不对：手机号是 11 位数字，"
                "固定电话是 7–12 位数字（可带区号和 -）"
            )
    if typed == village.contact_phone:
        return
    before = {"contact_phone": village.contact_phone}
    village.contact_phone = typed
    record_event(
        actor=actor,
        action="village.contact",
        summary=f"公示栏联系电话改为「{typed}」" if typed else "清除了公示栏联系电话",
        object_type="village",
        object_id=village.id,
        township_id=village.township_id,
        village_id=village.id,
        before=before,
        after={"contact_phone": typed},
    )


def create_user(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    role: Role,
    township: Township | None = None,
    village: Village | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account; returns it with its initial password, to be shown once."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise ServiceError("用户名须为 3–40 位小写字母、数字或 _ . -，以字母开头")
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise ServiceError(f"用户名「{username}」已被使用")
    if role.is_village_role != (village is not None):
        raise ServiceError("村级账号必须属于一个村，乡镇账号不属于任何村")
    if village is not None:
        township = village.township
    if township is None:
        raise ServiceError("账号必须属于一个乡镇")
    if password is not None:
        _check_new_password(
            password, context=_context(username, display_name, township=township, village=village)
        )
    password = password or generate_password()
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=role,
        township_id=township.id,
        village_id=village.id if village else None,
        password_hash=hash_password(password),
        must_change_password=True,
    )
    db.session.add(user)
    db.session.flush()
    record_event(
        actor=actor,
        action="user.create",
        summary=f"创建{role.label}账号「{user.display_name}（{username}）」",
        object_type="user",
        object_id=user.id,
        township_id=township.id,
        village_id=user.village_id,
        after={"username": username, "role": role.value},
    )
    return user, password


def reset_password(*, actor: User, user: User) -> str:
    """Give user a new generated password (shown once) and end all their sessions."""
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    end_all_sessions(user=user)
    record_event(
        actor=actor,
        action="user.reset_password",
        summary=f"重置「{user.display_name}（{user.username}）」的密码",
        object_type="user",
        object_id=user.id,
        township_id=user.township_id,
        village_id=user.village_id,
    )
    return password


def change_password(*, user: User, current: str, new: str) -> None:
    """Set the user's own new password and end all their sessions (the caller opens a new one
    for the browser the change was made in)."""
    if not verify_password(user.password_hash, current):
        raise WrongPassword()
    if new == current:
        raise ServiceError("新密码不能与当前密码相同")
    context = _context(
        user.username, user.display_name, township=user.township, village=user.village
    )
    _check_new_password(new, context=context)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    end_all_sessions(user=user)
    record_event(
        actor=user,
        action="user.change_password",
        summary="修改了自己的密码",
        object_type="user",
        object_id=user.id,
        township_id=user.township_id,
        village_id=user.village_id,
    )


def _context(
    username: str, display_name: str, *, township: Township | None, village: Village | None
) -> PasswordContext:
    return PasswordContext(
        username=username,
        display_name=display_name,
        village_name=village.name if village else "",
        village_code=village.code if village else "",
        township_name=township.name if township else "",
    )


def _check_new_password(password: str, *, context: PasswordContext) -> None:
    if (problem := password_problem(password, context=context)) is not None:
        raise ServiceError(problem)
