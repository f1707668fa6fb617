"""First loads (issue 14, defect 13): the risks list took 698 ms, the gate request page
483 ms and the SOP list 422 ms the first time. Most of it was compiling each page's
templates in its first request and, on SQLite, opening a connection (a thread, the schema
parsed again) for every query. ``python -m tracker.bench.pages`` times every page of the
demo; these tests keep the two causes away."""

import os

import aiosqlite

from tracker import db


async def test_sqlite_queries_reuse_their_connections(tmp_path, monkeypatch):
    opened = []
    connect = aiosqlite.connect

    def counting_connect(*args, **kwargs):
        opened.append(1)
        return connect(*args, **kwargs)

    monkeypatch.setattr(aiosqlite, "connect", counting_connect)
    engine = db.make_engine(f"sqlite:///{tmp_path}/reuse.sqlite3")
    await db.start(engine, 1, 2)
    try:
        await engine.run_ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)")
        for i in range(20):
            await engine.run_ddl(f"INSERT INTO t (v) VALUES ('{i}')")
            assert len(await engine.run_ddl("SELECT * FROM t")) == i + 1
        # a transaction still has a connection of its own, and sees what was written
        async with engine.transaction():
            await engine.run_ddl("INSERT INTO t (v) VALUES ('in a transaction')")
        assert len(await engine.run_ddl("SELECT * FROM t")) == 21
    finally:
        await db.stop(engine)
    assert len(opened) <= 3, f"{len(opened)} connections for 42 queries"


async def test_every_template_is_compiled_at_start_up(world, tmp_path):
    from tracker.app import create_app
    from tracker.settings import load_settings

    settings = load_settings(
        {
            **os.environ,
            "DATABASE_URL": world.database_url,
            "TRACKER_DATA_DIR": str(tmp_path),
            "TRACKER_SCHEDULER": "off",
            "REDIS_URL": "",
        }
    )
    app = create_app(settings)
    env = app.template_engine.engine
    try:
        async with app.lifespan():
            compiled = set(env.cache.keys()) if env.cache is not None else set()
    finally:
        db.use_engine(world.engine)  # the app's lifespan bound the tables to its own engine
    names = set(env.list_templates(extensions=("html", "jinja", "txt")))
    assert {name for _loader, name in compiled} >= names
    # kept on disk too: a restarted process loads them instead of compiling them again
    assert len(list((tmp_path / "template-cache").iterdir())) >= len(names)
