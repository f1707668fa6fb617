"""Load benchmark: seed a large data set, start the app on PostgreSQL as production would,
drive it with wrk over loopback, and print requests per second, p50 and p99 latency, errors and
queries per request for the key pages, each beside a plain route of the same app measured in
the same run (the ratio is what compares across runs and machines). Not a test: it prints
figures.

    python -m tracker.bench.load --database-url postgresql://root@127.0.0.1/empty_db \\
        [--orgs 20] [--initiatives 500] [--duration 10] [--connections 32] [--seed-cache] \\
        [--workers K] [--pool N] [--cold] [--mixed N ...] [--json PATH] [--only TEXT] \\
        [--matrix | --scaling ROUNDS | --flame PATH] [--wrk-cpu CPUS] [--soak-minutes M]

--cold     render every part of every page anew (``TRACKER_KEPT_PARTS=off``), as the first
           visit after a change would
--mixed N  after the reads, the board with one write (a KPI measurement past its threshold,
           which raises an alert and so changes the board) per N reads on each connection, in
           its own organisation; reads and writes timed apart; may be given several times
--workers  uvicorn worker processes (default 1); --pool: pooled connections of each (10)
--json     write the figures as JSON (a summary per route, the plain route of the run beside,
           the CPU each request cost the app, PostgreSQL and wrk, each worker's memory)
--matrix   every run of the README's table, one after another, into one JSON file; then
           ``python -m tracker.bench.load.table a.json b.json c.json`` makes the table
--scaling  one worker against two, side by side, taking turns under wrk for ROUNDS rounds
--flame    a py-spy flame graph (SVG) of one worker serving the board cold

Needs wrk (Debian: apt-get install wrk). The database must be empty; it is migrated first.
With --seed-cache the seed is kept in a template database (<name>_seed_<orgs>x<initiatives>)
and later runs copy it (CREATE DATABASE … TEMPLATE, seconds instead of minutes); the database
is dropped and remade. The app runs as production does: behind the tenant wall
(DB_APP_ROLE=tracker_app).
"""
