"""SQLAlchemy 2 ORM over psycopg 3 against Keel: the dialect's connect-time type lookups,
create_all (SERIAL key, UNIQUE, server default, numeric), session CRUD, and has_table/
get_table_names reflection. Column reflection (inspect().get_columns) is not here yet: the
dialect's query needs arrays (array_agg)."""

import pytest

sqlalchemy = pytest.importorskip("sqlalchemy")
from sqlalchemy import Boolean, DateTime, Numeric, String, func, inspect, select  # noqa: E402
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
