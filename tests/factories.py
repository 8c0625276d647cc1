"""factory_boy factories for the models; rows are committed so views and jobs see them."""

from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from qa_app.extensions import db
from qa_app.models import Case, Child, Locality, Team, User
from qa_app.services.accounts import hash_password

TEST_PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(TEST_PASSWORD)  # scrypt is slow on purpose: hash once


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class LocalityFactory(BaseFactory):
    class Meta:
        model = Locality

    name = factory.Sequence(lambda n: f"Locality {n}")


class TeamFactory(BaseFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    locality = factory.SubFactory(LocalityFactory)
    service = "child_in_need"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"person{n}@council.test")
    password_hash = PASSWORD_HASH
    team = None

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.set_roles(extracted or ["social_worker"])
        if create:
            db.session.commit()


class ChildFactory(BaseFactory):
    class Meta:
        model = Child

    la_child_id = factory.Sequence(lambda n: f"{n + 1:07d}")
    dob = date(2015, 6, 1)
    sex = "F"


class CaseFactory(BaseFactory):
    class Meta:
        model = Case

    child = factory.SubFactory(ChildFactory)
    cohort = "cin"
    team = factory.SubFactory(TeamFactory)
    opened_on = date(2025, 1, 6)


def make_user(*roles: str, **fields) -> User:
    return UserFactory(roles=list(roles) or ["social_worker"], **fields)


def make_toolkit_version(*, by=None, **doc_overrides):
    """Load a small valid toolkit (tests/toolkit_docs.minimal_doc) and return its active version.

    Goes through the real loader, so the version is exactly what a loaded file would give.
    """
    from qa_app.clock import utcnow  # noqa: PLC0415
    from qa_app.services.toolkits import load_toolkits  # noqa: PLC0415
    from tests.toolkit_docs import minimal_doc, to_yaml  # noqa: PLC0415

    doc = minimal_doc(**doc_overrides)
    (result,) = load_toolkits(
        [(to_yaml(doc), f"{doc['key']}.yaml")], by=by, now=utcnow(), via="cli"
    )
    db.session.commit()
    return result.version
