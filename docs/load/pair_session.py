"""A session of the load seed's first admin, printed (docs/load/pair.sh runs it with each
code's own virtualenv)."""

import asyncio
import sys

from tracker import db
from tracker.accounts.tables import Person
from tracker.auth import start_session

ADMIN = "admin0@load.example.com"


async def main(url: str) -> None:
    engine = db.make_engine(url)
    db.use_engine(engine)
    await db.start(engine, 1, 2)
    try:
        row = await Person.select(Person.id).where(Person.email == ADMIN).first()
        print(await start_session(row["id"]))
    finally:
        await db.stop(engine)


asyncio.run(main(sys.argv[1]))
