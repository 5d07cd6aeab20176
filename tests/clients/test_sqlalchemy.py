"""SQLAlchemy 2 ORM over psycopg 3 against Keel: the dialect's connect-time type lookups,
create_all (SERIAL key, UNIQUE, server default, numeric, array), session CRUD, and reflection
(has_table, get_table_names, get_columns, the key, unique, check and index inspections, and a
Table loaded with autoload_with), whose queries use arrays, unnest and generate_subscripts in
the SELECT list, and pg_constraint."""

import pytest

sqlalchemy = pytest.importorskip("sqlalchemy")
from sqlalchemy import (  # noqa: E402
    ARRAY,
    ForeignKey,
    Boolean,
    CheckConstraint,
    DateTime,
    Index,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    func,
    inspect,
    select,
)
from sqlalchemy.exc import IntegrityError  # noqa: E402
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column  # noqa: E402


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    balance = mapped_column(Numeric(10, 2), default=0)
    created = mapped_column(DateTime(timezone=True), server_default=func.now())
    tags = mapped_column(ARRAY(Text), default=list)
    __table_args__ = (
        CheckConstraint("balance >= 0", name="accounts_balance_check"),
        Index("accounts_created", "created"),
    )


class Pet(Base):
    __tablename__ = "pets"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(20))


def test_create_all_and_session_crud(keel):
    engine = sqlalchemy.create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{keel.port}/keel")
    Base.metadata.create_all(engine)
    assert inspect(engine).has_table("accounts")
    assert "accounts" in inspect(engine).get_table_names()
    with Session(engine) as session:
        session.add_all([Account(name="ann"), Account(name="bob", balance=12.5)])
        session.commit()
        bob = session.scalars(select(Account).where(Account.name == "bob")).one()
        assert (str(bob.balance), bob.active, bob.created is not None) == ("12.50", True, True)
        assert bob.id > 0
        bob.balance = 20
        session.commit()
        assert session.scalar(select(Account.balance).where(Account.id == bob.id)) == 20
        session.delete(bob)
        session.commit()
        assert [a.name for a in session.scalars(select(Account).order_by(Account.id))] == ["ann"]
        session.add(Account(name="ann"))
        with pytest.raises(sqlalchemy.exc.IntegrityError):
            session.commit()
    Base.metadata.drop_all(engine)
    assert not inspect(engine).has_table("accounts")
    engine.dispose()


def test_reflection(keel):
    engine = sqlalchemy.create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{keel.port}/keel")
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    inspector = inspect(engine)
    columns = {c["name"]: c for c in inspector.get_columns("accounts")}
    assert list(columns) == ["id", "name", "active", "balance", "created", "tags"]
    assert str(columns["name"]["type"]) == "VARCHAR(50)"
    assert str(columns["balance"]["type"]) == "NUMERIC(10, 2)"
    assert isinstance(columns["tags"]["type"], ARRAY)
    assert isinstance(columns["tags"]["type"].item_type, Text)
    assert columns["id"]["autoincrement"] and not columns["id"]["nullable"]
    assert columns["created"]["default"] == "now()"
    assert inspector.get_pk_constraint("accounts")["constrained_columns"] == ["id"]
    assert [u["column_names"] for u in inspector.get_unique_constraints("accounts")] == [["name"]]
    checks = inspector.get_check_constraints("accounts")
    # PostgreSQL's deparsed form (the integer literal meets numeric through a cast).
    assert [(c["name"], c["sqltext"]) for c in checks] == [
        ("accounts_balance_check", "balance >= 0::numeric")]
    indexes = {i["name"]: i for i in inspector.get_indexes("accounts")}
    assert indexes["accounts_created"]["column_names"] == ["created"]
    assert indexes["accounts_name_key"]["unique"]
    assert inspector.get_foreign_keys("accounts") == []
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text("comment on table accounts is 'who pays'"))
        conn.execute(sqlalchemy.text("comment on column accounts.name is 'login'"))
    inspector = inspect(engine)
    assert inspector.get_table_comment("accounts") == {"text": "who pays"}
    assert {c["name"]: c["comment"] for c in inspector.get_columns("accounts")}["name"] == "login"
    table = Table("accounts", MetaData(), autoload_with=engine)
    assert [c.name for c in table.columns] == list(columns)
    with engine.begin() as conn:
        conn.execute(table.insert().values(name="cy", active=True, tags=["a", "b"]))
        row = conn.execute(select(table.c.tags).where(table.c.name == "cy")).one()
        assert row.tags == ["a", "b"]


def test_foreign_keys(keel):
    engine = sqlalchemy.create_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{keel.port}/keel")
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    fks = inspect(engine).get_foreign_keys("pets")
    assert [(f["constrained_columns"], f["referred_table"], f["referred_columns"],
             f["options"]) for f in fks] == [(["owner_id"], "accounts", ["id"], {"ondelete": "CASCADE"})]
    with Session(engine) as session:
        owner = Account(name="dee")
        session.add(owner)
        session.flush()
        session.add_all([Pet(owner_id=owner.id, name="rex"), Pet(owner_id=owner.id, name="tom")])
        session.commit()
        session.add(Pet(owner_id=owner.id + 1000, name="stray"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        session.execute(sqlalchemy.delete(Account).where(Account.id == owner.id))
        session.commit()
        assert session.scalar(select(func.count()).select_from(Pet)) == 0
