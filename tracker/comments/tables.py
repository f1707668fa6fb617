"""Discussion threads: one table of comments for every kind of subject (an initiative, a gate
review, a problem, a risk, a pilot, an SOP version), keyed by the subject's kind and id, and
the members each comment mentions.

A comment is never removed: deleting one clears its text and keeps the row, so the thread
says "deleted" where it was (and the app's database role may not DELETE comments).
"""

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from tracker.accounts.tables import Organisation, Person


class Comment(Table, tablename="comment"):
    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    subject_kind = Varchar(length=20)  # initiative | review | problem | risk | pilot | sop_version
    subject_id = Integer(null=False, default=None)
    author = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    body = Text(default="")  # the Markdown as written
    body_html = Text(default="")  # rendered and sanitised once, when written
    # a gate reviewer's comment on an open review: other reviewers read it once they voted
    sealed = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    edited_at = Timestamptz(null=True, default=None)
    deleted_at = Timestamptz(null=True, default=None)
    deleted_by = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)


class CommentMention(Table, tablename="comment_mention"):
    """A member of the organisation mentioned (``@name``) in a comment."""

    id: Serial
    org = ForeignKey(Organisation, null=False, index=True)
    comment = ForeignKey(Comment, null=False, index=True, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, null=False, index=True, on_delete=OnDelete.cascade)
