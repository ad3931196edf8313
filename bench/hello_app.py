"""The baseline for ``bench/server.py``: FastAPI's hello world, on the same uvicorn setup.

    python -m uvicorn --app-dir bench hello_app:app --loop uvloop --http httptools

What a request costs with no database, no authentication and no middleware: the ceiling the
fittrack endpoints are measured against.
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"hello": "world"}
