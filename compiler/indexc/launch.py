"""The `indexc` command's entry point: a running build server first, this process otherwise.

Reaching a server (server.py) must cost next to nothing when there is none, since every
command asks: this module imports only the server's small client side, and the command
line interface, with everything it imports, only when no server runs the command.
"""

from __future__ import annotations

import sys


def main() -> None:
    from indexc import server

    if len(sys.argv) < 2 or sys.argv[1] != "serve":  # a server does not start another
        code = server.relay(sys.argv)
        if code is not None:
            sys.exit(code)
    from indexc.cli import main as command_line

    command_line()
