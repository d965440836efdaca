"""Write the AsyncAPI document FastStream generates for this subscriber.

    cd examples && python -m faststream_subscriber.asyncapi [path]    # default: asyncapi.json

No connection is made and no database is opened.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .app import create_app
from .settings import Settings


def render() -> str:
    """The AsyncAPI 3.0 document, as JSON."""
    # A password is needed to build the broker, not to describe it.
    app = create_app(Settings(password="unused"))
    return app.schema.to_specification().to_json() + "\n"


def main() -> None:
    """Write the document to the path given (or `asyncapi.json`)."""
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "asyncapi.json")
    path.write_text(render(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
