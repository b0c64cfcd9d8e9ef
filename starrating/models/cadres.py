"""Village cadres, their yearly pledges, quarterly reports and the township's score."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from starrating.extensions import db
from starrating.models.members import Member
from starrating.models.org import User, Village
from starrating.models.types import UTCDateTime, enum_column, utcnow
from starrating.rules.cadre_grades import CadreGrade
from starrating.rules.pledges import PledgeState
from starrating.rules.vocabulary import PostKind


class Cadre(db.Model):
    """A village official with a post and a pay profile (money in 元, two decimals)."""

    __tablename__ = "cadre"

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    post: Mapped[str] = mapped_column(String(40))
    # what the post is in law; None on records made before it was asked (未填写)
    post_kind: Mapped[PostKind | None] = mapped_column(enum_column(PostKind))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    base_pay: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    performance_pay: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    reward_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    # the first year of use: last year's grade as entered (later years read it from the system)
    previous_grade: Mapped[CadreGrade | None] = mapped_column(enum_column(CadreGrade))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    village: Mapped[Village] = relationship()
    member: Mapped[Member | None] = relationship()
    user: Mapped[User | None] = relationship()
    relatives: Mapped[list[CadreRelative]] = relationship(
        back_populates="cadre", order_by="CadreRelative.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class CadreRelative(db.Model):
    """A close relative (近亲属) of a cadre, as the secretary lists them: a name, the relation,
    and the person's account when they have one (DESIGN.md §14)."""

    __tablename__ = "cadre_relative"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    relation: Mapped[str] = mapped_column(String(20), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    cadre: Mapped[Cadre] = relationship(back_populates="relatives")
    user: Mapped[User | None] = relationship()


class Pledge(db.Model):
    """One cadre's pledge for one year (年初公开承诺)."""

    __tablename__ = "pledge"
    __table_args__ = (UniqueConstraint("cadre_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    year: Mapped[int]
    state: Mapped[PledgeState] = mapped_column(enum_column(PledgeState), default=PledgeState.DRAFT)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    cadre: Mapped[Cadre] = relationship()
    items: Mapped[list[PledgeItem]] = relationship(
        back_populates="pledge", order_by="PledgeItem.position", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class PledgeItem(db.Model):
    """One promise: content, measurable indicator and target, deadline, weight; at year end the
    verified completion (%)."""

    __tablename__ = "pledge_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    pledge_id: Mapped[int] = mapped_column(ForeignKey("pledge.id"), index=True)
    position: Mapped[int]
    content: Mapped[str] = mapped_column(String(300))
    indicator: Mapped[str] = mapped_column(String(200))
    target: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[date]
    weight: Mapped[int]
    verified_completion: Mapped[Decimal | None] = mapped_column(Numeric(5, 1))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    pledge: Mapped[Pledge] = relationship(back_populates="items")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class QuarterlyReport(db.Model):
    """Progress of one item in one quarter (每季度汇报), by the cadre or the secretary."""

    __tablename__ = "quarterly_report"
    __table_args__ = (UniqueConstraint("item_id", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("pledge_item.id"), index=True)
    quarter: Mapped[int]
    progress: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    done: Mapped[str] = mapped_column(Text)
    next_step: Mapped[str] = mapped_column(Text)
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    filed_by: Mapped[User] = relationship()

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class TownshipScore(db.Model):
    """The township's score (乡镇评价, 0–100) of one cadre for one year."""

    __tablename__ = "township_score"
    __table_args__ = (UniqueConstraint("cadre_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("cadre.id"), index=True)
    year: Mapped[int]
    score: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    scored_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
