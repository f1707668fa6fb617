import asyncio, sys
from tracker import db
from tracker.auth import start_session
from tracker.accounts.tables import Person
async def main(url):
    engine = db.make_engine(url); db.use_engine(engine); await db.start(engine, 1, 2)
    try:
        row = await Person.select(Person.id).where(Person.email == "admin0@load.example.com").first()
        print(await start_session(row["id"]))
    finally:
        await db.stop(engine)
asyncio.run(main(sys.argv[1]))
