#!/usr/bin/python3
"""Django (Debian python3-django, psycopg2) against the current view of a
versioned table and against a system-versioned table, with the model
definitions README.md shows in "Using it from your ORM".  The database is
given by the PG* environment variables and must have the extension; the
script creates its tables.  Prints TAP; exits non-zero when a check fails."""
import os
import uuid

import django
from django.conf import settings

settings.configure(
    DATABASES={alias: {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["PGDATABASE"],
        "HOST": os.environ.get("PGHOST", ""),
        "PORT": os.environ.get("PGPORT", ""),
        "USER": os.environ.get("PGUSER", ""),
    } for alias in ("default", "other")},
    USE_TZ=True,
    INSTALLED_APPS=[],
)
django.setup()

from django.db import models, connection, connections, transaction  # noqa: E402
from django.db.utils import IntegrityError, OperationalError  # noqa: E402

from tap import check, raises, done  # noqa: E402

SCHEMA = """
CREATE TABLE tasks (title text NOT NULL, done boolean NOT NULL DEFAULT false);
SELECT immutable.make_versioned('tasks');
CREATE TABLE notes (body text NOT NULL);
SELECT immutable.make_versioned('notes');
CREATE TABLE accounts (id bigserial PRIMARY KEY, balance integer NOT NULL);
SELECT immutable.make_system_versioned('accounts');
"""


# -- README: Django --------------------------------------------------------
class Task(models.Model):
    """The current view; id is the entity's stable identity."""
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.TextField()
    done = models.BooleanField(default=False)
    entity_id = models.UUIDField(null=True, editable=False)
    version = models.IntegerField(null=True, editable=False)
    valid_from = models.DateTimeField(null=True, editable=False)
    deleted_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        app_label = "demo"
        managed = False
        db_table = "tasks_current"


class TaskVersion(models.Model):
    """Every version: the versioned table itself, id is the version's row."""
    id = models.UUIDField(primary_key=True)
    title = models.TextField()
    done = models.BooleanField()
    entity_id = models.UUIDField()
    version = models.IntegerField()
    valid_from = models.DateTimeField()
    deleted_at = models.DateTimeField(null=True)

    class Meta:
        app_label = "demo"
        managed = False
        db_table = "tasks"


class Note(models.Model):
    """The other natural mapping: entity_id as the primary key."""
    entity_id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    body = models.TextField()
    version = models.IntegerField(null=True, editable=False)

    class Meta:
        app_label = "demo"
        managed = False
        db_table = "notes_current"


class Account(models.Model):
    """A system-versioned table is an ordinary table to the ORM."""
    id = models.BigAutoField(primary_key=True)
    balance = models.IntegerField()

    class Meta:
        app_label = "demo"
        managed = False
        db_table = "accounts"
# -- end of README ---------------------------------------------------------


class TaskNoDefault(models.Model):
    """What inspectdb suggests: a uuid primary key without a default."""
    id = models.UUIDField(primary_key=True)
    title = models.TextField()

    class Meta:
        app_label = "demo"
        managed = False
        db_table = "tasks_current"


def sql(query, params=None, alias="default"):
    with connections[alias].cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall() if cur.description else None


def versions(entity_id):
    return [r[0] for r in sql("SELECT version FROM tasks WHERE entity_id = %s ORDER BY version",
                              [entity_id])]


with connection.cursor() as cur:
    cur.execute(SCHEMA)

state = {}


def create():
    t = Task.objects.create(title="write docs")
    state["task"] = t
    rows = sql("SELECT entity_id, version FROM tasks")
    assert rows == [(t.id, 1)], rows


def read_back():
    t = Task.objects.get(pk=state["task"].id)
    assert (t.title, t.version, t.entity_id) == ("write docs", 1, state["task"].id), t.__dict__


def update_twice():
    t = state["task"]
    t.done = True
    t.save()
    t.title = "write the docs"
    t.save()
    assert sql("SELECT count(DISTINCT entity_id) FROM tasks") == [(1,)]
    assert versions(t.id) == [1, 2, 3]
    assert Task.objects.get(pk=t.id).version == 3
    assert sql("SELECT title, done FROM tasks_current") == [("write the docs", True)]


def save_does_not_duplicate():
    # Django's save() is UPDATE ... WHERE id, then INSERT when it matched no row
    t = Task.objects.get(pk=state["task"].id)
    t.save()
    t.save()
    assert Task.objects.count() == 1
    assert sql("SELECT count(DISTINCT entity_id) FROM tasks") == [(1,)]
    assert versions(t.id) == [1, 2, 3, 4, 5]


def optimistic_lock():
    # Django has no optimistic locking of its own: filter on the version read
    # and update; a stale version matches no row and writes nothing
    t = Task.objects.get(pk=state["task"].id)
    assert Task.objects.filter(pk=t.id, version=t.version).update(title="first") == 1
    assert Task.objects.filter(pk=t.id, version=t.version).update(title="second") == 0
    assert sql("SELECT title, version FROM tasks_current") == [("first", 6)]
    assert versions(t.id) == [1, 2, 3, 4, 5, 6]


def concurrent_writer_fails():
    # a transaction that read version 6 updates after another one committed 7
    eid = state["task"].id
    with transaction.atomic():
        mine = Task.objects.get(pk=eid)
        sql("UPDATE tasks_current SET title = 'other' WHERE id = %s", [eid], alias="other")
        mine.title = "mine"
        exc = raises(OperationalError, mine.save, "40001")
        assert "through the view" in exc.__cause__.diag.message_hint, exc.__cause__.diag.message_hint
        transaction.set_rollback(True)
    assert sql("SELECT title, version FROM tasks_current") == [("other", 7)]


def client_uuid():
    key = uuid.uuid4()
    t = Task.objects.create(id=key, title="client key")
    assert t.id == key
    assert sql("SELECT entity_id, version FROM tasks WHERE title = 'client key'") == [(key, 1)]
    state["client"] = t


def create_existing_key_fails():
    with transaction.atomic():
        raises(IntegrityError, lambda: Task.objects.create(id=state["client"].id, title="dup"), "23505")
    assert versions(state["client"].id) == [1]


def no_default_key_fails():
    before = sql("SELECT count(*) FROM tasks")
    with transaction.atomic():
        raises(IntegrityError, lambda: TaskNoDefault(title="no key").save(), "23502")
    assert sql("SELECT count(*) FROM tasks") == before


def delete():
    t = Task.objects.get(pk=state["client"].id)
    deleted, _ = t.delete()
    assert deleted == 1
    assert sql("SELECT immutable.status(NULL::tasks, %s)", [state["client"].id]) == [("deleted",)]
    assert versions(state["client"].id) == [1, 2]
    assert not Task.objects.filter(pk=state["client"].id).exists()


def undelete():
    sql("SELECT * FROM immutable.undelete(NULL::tasks, %s)", [state["client"].id])
    t = Task.objects.get(pk=state["client"].id)
    assert (t.title, t.version) == ("client key", 3)


def history_as_instances():
    eid = state["task"].id
    rows = list(TaskVersion.objects.raw("SELECT * FROM immutable.history(NULL::tasks, %s)", [eid]))
    assert [r.version for r in rows] == [1, 2, 3, 4, 5, 6, 7], [r.version for r in rows]
    assert len({r.id for r in rows}) == 7
    assert rows[0].title == "write docs" and rows[-1].title == "other"


def as_of_text_microseconds():
    eid = state["task"].id
    (at,) = sql("SELECT valid_from::text FROM tasks WHERE entity_id = %s AND version = 2", [eid])[0]
    assert "." in at, at
    rows = list(TaskVersion.objects.raw("SELECT * FROM immutable.as_of(NULL::tasks, %s, %s)", [eid, at]))
    assert [r.version for r in rows] == [2] or at is None, [r.version for r in rows]
    rows = list(TaskVersion.objects.raw("SELECT * FROM immutable.as_of(NULL::tasks, %s)", [at]))
    assert [r.version for r in rows] == [2], [r.version for r in rows]


def get_nothing_is_no_row():
    unknown = uuid.uuid4()
    assert list(TaskVersion.objects.raw("SELECT * FROM immutable.get(NULL::tasks, %s)", [unknown])) == []
    assert list(TaskVersion.objects.raw("SELECT * FROM immutable.as_of(NULL::tasks, %s, now())",
                                        [unknown])) == []


def entity_id_key():
    n = Note.objects.create(body="one")
    n.body = "two"
    n.save()
    n.body = "three"
    n.save()
    assert sql("SELECT entity_id, version, body FROM notes ORDER BY version") == \
        [(n.entity_id, 1, "one"), (n.entity_id, 2, "two"), (n.entity_id, 3, "three")]
    assert Note.objects.get(pk=n.entity_id).version == 3
    assert Note.objects.get(pk=n.entity_id).delete()[0] == 1
    assert sql("SELECT immutable.status(NULL::notes, %s)", [n.entity_id]) == [("deleted",)]


def system_versioned_plain():
    a = Account.objects.create(balance=10)
    a.balance = 20
    a.save()
    a.balance = 30
    a.save()
    assert Account.objects.get(pk=a.id).balance == 30
    assert sql("SELECT balance FROM accounts_history ORDER BY upper(system_period)") == [(10,), (20,)]
    state["account"] = a


def system_versioned_conflict_retriable():
    # begun before the other writer, writes after it committed: 40001
    # (retry_conflicts, the default of make_system_versioned)
    aid = state["account"].id
    with transaction.atomic():
        mine = Account.objects.get(pk=aid)
        sql("UPDATE accounts SET balance = balance + 1 WHERE id = %s", [aid], alias="other")
        mine.balance = 0
        raises(OperationalError, mine.save, "40001")
        transaction.set_rollback(True)
    assert Account.objects.get(pk=aid).balance == 31


check("create: one entity, version 1, key read back", create)
check("read back by primary key", read_back)
check("update twice: versions 1, 2, 3 of one entity", update_twice)
check("save() of a loaded instance appends versions, never a second entity", save_does_not_duplicate)
check("optimistic lock: filter(version=read).update() matches no row when stale", optimistic_lock)
check("concurrent writer: 40001 (OperationalError), the other write kept", concurrent_writer_fails)
check("client-generated uuid becomes entity_id", client_uuid)
check("create with the key of a live entity fails with 23505", create_existing_key_fails)
check("uuid key without default fails with 23502, nothing written", no_default_key_fails)
check("delete: one row, a tombstone", delete)
check("undelete through immutable.undelete()", undelete)
check("history as model instances, one per version", history_as_instances)
check("as_of with valid_from given as text with microseconds", as_of_text_microseconds)
check("get() and as_of() of an unknown entity return no row", get_nothing_is_no_row)
check("entity_id as primary key: create, update twice, delete", entity_id_key)
check("system-versioned table used as a plain table", system_versioned_plain)
check("system-versioned write conflict is 40001 (retry_conflicts)", system_versioned_conflict_retriable)
done()
