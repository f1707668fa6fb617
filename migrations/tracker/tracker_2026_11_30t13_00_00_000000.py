"""Discussion threads (issue 16): comments on initiatives, gate reviews, problems, risks,
pilots and SOP versions, and the members each comment mentions."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import Boolean
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


def _ref(name: str, tablename: str) -> type[Table]:
    return type(
        name,
        (Table,),
        {
            "id": Serial(
                null=False,
                primary_key=True,
                unique=False,
                index=False,
                index_method=IndexMethod.btree,
                choices=None,
                db_column_name="id",
                secret=False,
            )
        },
        tablename=tablename,
        schema=None,
    )


Organisation = _ref("Organisation", "organisation")
Person = _ref("Person", "person")
Comment = _ref("Comment", "comment")

ID = "2026-11-30T13:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "comments and mentions"


def _params(**overrides):
    params = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    params.update(overrides)
    return params


def _fk(references, null, on_delete, index):
    return _params(
        references=references,
        on_delete=on_delete,
        on_update=OnUpdate.cascade,
        target_column=None,
        null=null,
        index=index,
    )


COLUMNS = {
    "Comment": (
        "comment",
        [
            ("org", ForeignKey, _fk(Organisation, False, OnDelete.cascade, True)),
            ("subject_kind", Varchar, _params(length=20, default="")),
            ("subject_id", Integer, _params(default=None)),
            ("author", ForeignKey, _fk(Person, True, OnDelete.set_null, False)),
            ("body", Text, _params(default="")),
            ("body_html", Text, _params(default="")),
            ("sealed", Boolean, _params(default=False)),
            ("created_at", Timestamptz, _params(default=TimestamptzNow())),
            ("edited_at", Timestamptz, _params(default=None, null=True)),
            ("deleted_at", Timestamptz, _params(default=None, null=True)),
            ("deleted_by", ForeignKey, _fk(Person, True, OnDelete.set_null, False)),
        ],
    ),
    "CommentMention": (
        "comment_mention",
        [
            ("org", ForeignKey, _fk(Organisation, False, OnDelete.cascade, True)),
            ("comment", ForeignKey, _fk(Comment, False, OnDelete.cascade, True)),
            ("person", ForeignKey, _fk(Person, False, OnDelete.cascade, True)),
        ],
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="tracker", description=DESCRIPTION)
    for class_name, (tablename, columns) in COLUMNS.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, column_class, params in columns:
            manager.add_column(
                table_class_name=class_name,
                tablename=tablename,
                column_name=name,
                db_column_name=name,
                column_class_name=column_class.__name__,
                column_class=column_class,
                params=params,
                schema=None,
            )
    return manager
