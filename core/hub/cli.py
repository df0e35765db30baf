"""``gilgamesh hub start|stop|status|adduser|store-password`` (Qt-free)."""
from __future__ import annotations

import argparse
import getpass
import json
import sys


def _launcher(args):
    from core.hub.launcher import HubLauncher
    from core.hub.settings import load_hub_settings

    return HubLauncher(load_hub_settings(port=getattr(args, "port", None), ip=getattr(args, "ip", None)))


def cmd_start(args) -> int:
    hl = _launcher(args)
    if hl.is_running():
        st = hl.status(with_users=False)
        print(f"The hub is already running at {st.url} (pid {st.pid}).")
        return 0
    st = hl.start(timeout=args.timeout)
    print(f"The hub is running at {st.url} (pid {st.pid}); log: {st.log_file}")
    return 0


def cmd_stop(args) -> int:
    hl = _launcher(args)
    n = hl.stop()
    print(f"Stopped the hub ({n} processes)." if n else "The hub was not running.")
    return 0


def cmd_status(args) -> int:
    hl = _launcher(args)
    st = hl.status()
    if args.json:
        print(json.dumps({"running": st.running, "url": st.url, "pid": st.pid, "error": st.error,
                          "users": [u.__dict__ for u in st.users]}, indent=1))
        return 0 if st.running else 1
    if not st.running:
        print(f"The hub is not running ({st.url} when started).")
        return 1
    print(f"The hub is running at {st.url} (pid {st.pid}).")
    if st.error:
        print(f"error: {st.error}", file=sys.stderr)
    for u in st.users:
        state = "server running" if u.server_running else "no server"
        print(f"  {u.name:<20} {'admin ' if u.admin else '      '}{state:<15} last active {u.last_activity or '-'}")
    return 0


def cmd_adduser(args) -> int:
    from core.hub.accounts import add_user
    from core.hub.settings import hub_dir

    pw = None
    if args.password_stdin:
        pw = sys.stdin.readline().rstrip("\n")
    elif args.ask:
        pw = getpass.getpass(f"Password for {args.name}: ")
    password = add_user(hub_dir(), args.name, pw)
    print(f"Account {args.name!r} created and approved.")
    if pw is None:
        print(f"Password (shown once): {password}")
    if args.admin:
        print(f"Make sure {args.name!r} is in [hub] admins of the config file.")
    return 0


def cmd_store_password(args) -> int:
    from core.hub.secrets import set_store_password
    from core.hub.settings import hub_dir

    pw = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass(
        f"PostgreSQL password of role {args.name}: ")
    set_store_password(hub_dir(), args.name, pw)
    print(f"Recorded; {args.name}'s next single-user server gets it (PGPASSWORD).")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("hub", help="the lab's JupyterHub: start, stop, status, accounts",
                              description="Configure and run the lab's JupyterHub (docs/hub.md).")
    sub = p.add_subparsers(dest="hub_command", metavar="ACTION", required=True)
    s = sub.add_parser("start", help="start the hub (or report the running one)")
    s.add_argument("--port", type=int, default=None, help="public port (default [hub] port, 8000)")
    s.add_argument("--ip", default=None, help="bind address (default [hub] ip, 127.0.0.1)")
    s.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the hub")
    s.set_defaults(func=cmd_start)
    s = sub.add_parser("stop", help="stop the hub, its proxy, servers and services")
    s.set_defaults(func=cmd_stop)
    s = sub.add_parser("status", help="is it running, where, who is connected")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)
    s = sub.add_parser("adduser", help="create an approved hub account (native authenticator)")
    s.add_argument("name")
    s.add_argument("--admin", action="store_true", help="remind to list the account in [hub] admins")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--ask", action="store_true", help="prompt for the password (default: a random one)")
    g.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    s.set_defaults(func=cmd_adduser)
    s = sub.add_parser("store-password", help="record a user's PostgreSQL role password for their server")
    s.add_argument("name")
    s.add_argument("--password-stdin", action="store_true")
    s.set_defaults(func=cmd_store_password)

