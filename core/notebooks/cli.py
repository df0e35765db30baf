"""``gilgamesh notebooks ...``: status, push, pull, sync, history, restore, resolve, diff, admin.

Every subcommand takes ``--dir`` (local folder), ``--store`` (database URL)
and ``--user``; see ``docs/notebooks.md``.
"""
from __future__ import annotations

import argparse
import sys

from core.notebooks.settings import load_settings

_STATE_MARK = {
    "in sync": "  ", "modified locally": "M ", "modified centrally": " M", "conflict": "MM",
    "new locally": "A ", "new centrally": " A", "deleted locally": "D ", "deleted centrally": " D",
    "deleted locally, modified centrally": "DM", "deleted centrally, modified locally": "MD",
    "deleted on both sides": "DD",
}


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", default=None, help="local notebook folder (default: config or documents folder)")
    p.add_argument("--store", default=None, help="database URL of the notebook store (default: config)")
    p.add_argument("--user", default=None, help="user name (SQLite store) / role to act as (PostgreSQL)")


def register(subparsers) -> None:
    """Add ``notebooks`` and its subcommands to the ``gilgamesh`` parser."""
    p = subparsers.add_parser("notebooks", help="central notebook store and local sync",
                              description="Push and pull analysis notebooks to and from the lab's central store.")
    sub = p.add_subparsers(dest="nb_command", metavar="ACTION", required=True)

    s = sub.add_parser("status", help="state of every notebook (local vs central)")
    _common(s)
    s.add_argument("--all", action="store_true", help="also list files in sync")
    s.add_argument("--verify", action="store_true", help="re-hash every local file (ignore the hash cache)")
    s.add_argument("paths", nargs="*")
    s.set_defaults(func=cmd_status)

    for name, fn, hlp in (("push", cmd_push, "send local changes to the store"),
                          ("pull", cmd_pull, "bring central changes into the local folder"),
                          ("sync", cmd_sync, "pull, push, and keep both sides of conflicts")):
        s = sub.add_parser(name, help=hlp)
        _common(s)
        if name != "pull":
            s.add_argument("--resolve", choices=["both", "mine", "theirs", "merge"], default="both",
                           help="how to handle conflicts (default: keep both)")
        s.add_argument("paths", nargs="*")
        s.set_defaults(func=fn)

    s = sub.add_parser("resolve", help="resolve a conflict: keep mine, theirs, both, or merge with nbdime")
    _common(s)
    s.add_argument("path")
    s.add_argument("how", choices=["both", "mine", "theirs", "merge"])
    s.set_defaults(func=cmd_resolve)

    s = sub.add_parser("diff", help="nbdime diff of a notebook: base, local, central")
    _common(s)
    s.add_argument("path")
    s.set_defaults(func=cmd_diff)

    s = sub.add_parser("history", help="version history of a store path (follows renames)")
    _common(s)
    s.add_argument("path")
    s.set_defaults(func=cmd_history)

    s = sub.add_parser("restore", help="undelete a file, or restore an old version as the new head")
    _common(s)
    s.add_argument("path", nargs="?", help="path of a deleted file to undelete")
    s.add_argument("--version", type=int, default=None, help="version id to restore (see history)")
    s.add_argument("--no-pull", action="store_true", help="do not pull the restored file into --dir")
    s.set_defaults(func=cmd_restore)

    s = sub.add_parser("deleted", help="list deleted files that can be restored")
    _common(s)
    s.add_argument("prefix", nargs="?", default="")
    s.set_defaults(func=cmd_deleted)

    s = sub.add_parser("admin", help="store administration (run with an admin database URL)")
    _common(s)
    s.add_argument("admin_action", choices=["upgrade", "adduser"])
    s.add_argument("name", nargs="?", help="adduser: the user (= PostgreSQL role) name")
    s.add_argument("--password", default=None)
    s.set_defaults(func=cmd_admin)


def role_url(url: str, user: str | None) -> str:
    """On PostgreSQL, connect as the user's own role when the URL names none."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    if user and u.drivername.startswith("postgres") and not u.username:
        u = u.set(username=user)
    return u.render_as_string(hide_password=False)


def _open(args, with_dir: bool = True):
    from core.notebooks.store import NotebookStore
    from core.notebooks.sync import SyncEngine

    st = load_settings(store_url=args.store, local_dir=args.dir, user=args.user)
    store = NotebookStore(role_url(st.store_url, st.user), user=st.user, max_bytes=st.max_bytes)
    if not with_dir:
        return store
    return SyncEngine(st.local_dir, store)


def _print_result(res) -> int:
    for p in res.pushed:
        print(f"pushed   {p}")
    for p in res.pulled:
        print(f"pulled   {p}")
    for p in res.deleted_local:
        print(f"deleted  {p} (locally; deleted centrally)")
    for p in res.deleted_central:
        print(f"deleted  {p} (centrally)")
    for c in res.conflicts:
        line = f"conflict {c.path}: {c.resolution}"
        if c.conflict_path:
            line += f"; your copy kept as {c.conflict_path!r}"
        if c.stash_version:
            line += f"; saved in history as version {c.stash_version}"
        if c.note:
            line += f" ({c.note})"
        print(line)
    for p, msg in res.reports:
        print(f"note     {p}: {msg}")
    for p, msg in res.errors:
        print(f"error    {p}: {msg}", file=sys.stderr)
    print(res.summary())
    return 1 if res.errors else 0


def cmd_status(args) -> int:
    eng = _open(args)
    try:
        sts = eng._select(eng.status(verify=args.verify, include_in_sync=args.all), args.paths or None)
        for s in sts:
            print(f"{_STATE_MARK.get(s.state.value, '??')} {s.path}  [{s.state.value}]"
                  + ("" if s.writable else "  (read-only)"))
        if not sts:
            print("everything in sync")
        return 0
    finally:
        eng.store.close()


def cmd_push(args) -> int:
    eng = _open(args)
    try:
        return _print_result(eng.push(args.paths or None, resolve=args.resolve))
    finally:
        eng.store.close()


def cmd_pull(args) -> int:
    eng = _open(args)
    try:
        return _print_result(eng.pull(args.paths or None))
    finally:
        eng.store.close()


def cmd_sync(args) -> int:
    eng = _open(args)
    try:
        return _print_result(eng.sync(args.paths or None, resolve=args.resolve))
    finally:
        eng.store.close()


def cmd_resolve(args) -> int:
    eng = _open(args)
    try:
        with eng._locked():
            out = eng.resolve(args.path, args.how)
            eng.save_state()
        print(f"{out.path}: {out.resolution}" + (f", your copy kept as {out.conflict_path!r}" if out.conflict_path else "")
              + (f", {out.merge_conflicts} merge conflict(s) marked inline" if out.merge_conflicts else "")
              + (f" ({out.note})" if out.note else ""))
        return 0
    finally:
        eng.store.close()


def cmd_diff(args) -> int:
    eng = _open(args)
    try:
        for k, txt in eng.diff(args.path).items():
            print(f"===== {k} =====")
            print(txt)
        return 0
    finally:
        eng.store.close()


def cmd_history(args) -> int:
    store = _open(args, with_dir=False)
    try:
        for v in store.history(args.path):
            extra = f" (from {v.old_path})" if v.old_path else ""
            print(f"{v.id:>8}  #{v.number:<4} {v.created_at:%Y-%m-%d %H:%M:%S}  {v.author:<12} {v.kind:<8} "
                  f"{v.size:>10,} B  {v.sha256[:12]}  {v.path}{extra}")
        return 0
    finally:
        store.close()


def cmd_restore(args) -> int:
    from core.notebooks.errors import NotFoundError

    if args.path is None and args.version is None:
        raise NotFoundError("Give the path of a deleted file, or --version ID (see `gilgamesh notebooks history`).")
    eng = _open(args)
    try:
        v = eng.store.restore(args.path, version_id=args.version)
        print(f"restored {v.path} as version {v.id}")
        if not args.no_pull:
            _print_result(eng.pull([v.path]))
        return 0
    finally:
        eng.store.close()


def cmd_deleted(args) -> int:
    store = _open(args, with_dir=False)
    try:
        for e in store.deleted(args.prefix):
            print(f"{e.last_modified:%Y-%m-%d %H:%M:%S}  {e.version.author:<12} {e.path}")
        return 0
    finally:
        store.close()


def cmd_admin(args) -> int:
    from core.notebooks import admin

    st = load_settings(store_url=args.store)
    if args.admin_action == "upgrade":
        print(f"notebook store at revision {admin.upgrade_store(st.store_url)}")
        return 0
    if not args.name:
        print("error: adduser needs a NAME", file=sys.stderr)
        return 2
    admin.create_user(st.store_url, args.name, password=args.password)
    print(f"user {args.name} ready (area users/{args.name}/)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run ``notebooks ...`` on its own (``python -m core.notebooks.cli status ...``).

    ``gilgamesh notebooks ...`` is the usual way in; this entry point lets
    scripts and tests run the subcommands without the rest of the CLI.
    """
    from core.errors import GilgameshError

    parser = argparse.ArgumentParser(prog="gilgamesh")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["notebooks", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args) or 0)
    except GilgameshError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
