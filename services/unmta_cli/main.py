"""`unmta`: the operator CLI. Every command takes --json for scripts; tables otherwise."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .client import AdminClient, ApiError, Unreachable
from .output import Printer

DEFAULT_URL = "http://127.0.0.1:8080"


def _outbound(value: str) -> dict:
    ipv4, _, ipv6 = value.partition(",")
    return {"ipv4": ipv4.strip(), "ipv6": ipv6.strip() or None}


def _common_options(*, on_subcommand: bool) -> argparse.ArgumentParser:
    """The options every command takes, before or after the command name.

    On subcommands they default to SUPPRESS: otherwise a subcommand's default would overwrite a
    value given before it (`unmta --json clusters list`).
    """
    common = argparse.ArgumentParser(add_help=False)
    unset = {"default": argparse.SUPPRESS} if on_subcommand else {}
    common.add_argument("--json", action="store_true", help="print machine-readable JSON", **unset)
    common.add_argument("--url", help=f"control-plane URL (env UNMTA_URL, default {DEFAULT_URL})",
                        **(unset or {"default": os.environ.get("UNMTA_URL", DEFAULT_URL)}))
    common.add_argument("--admin-token", help="operator token (env UNMTA_ADMIN_TOKEN; `make run` prints it)",
                        **(unset or {"default": os.environ.get("UNMTA_ADMIN_TOKEN")}))
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options(on_subcommand=True)
    parser = argparse.ArgumentParser(
        prog="unmta", parents=[_common_options(on_subcommand=False)],
        description="Operate the unMTA control plane: clusters, MTAs, users, tokens, fleet convergence, "
                    "projection replays, and the MTA-side agent.",
        epilog="Example: unmta clusters create --region us-dal-1 --max-message-rate '50/hr,max_burst=10'")
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)

    def group(name: str, help_text: str):
        sub = groups.add_parser(name, help=help_text, description=help_text, parents=[common])
        return sub.add_subparsers(dest="action", metavar="ACTION", required=True)

    def command(actions, name: str, help_text: str) -> argparse.ArgumentParser:
        return actions.add_parser(name, help=help_text, description=help_text, parents=[common])

    clusters = group("clusters", "manage clusters")
    p = command(clusters, "create", "create a cluster")
    p.add_argument("--region", required=True, help="deployment region, e.g. us-dal-1")
    p.add_argument("--max-message-rate", help='per-MTA rate limit, e.g. "500/hr", "1,000/day", "50/hr,max_burst=10"')
    command(clusters, "list", "list every cluster")
    p = command(clusters, "update", "change a cluster's rate limit")
    p.add_argument("id", help="cluster id")
    rate = p.add_mutually_exclusive_group(required=True)
    rate.add_argument("--max-message-rate", help="new rate limit")
    rate.add_argument("--no-rate-limit", action="store_true", help="remove the rate limit")

    mtas = group("mtas", "manage MTAs")
    p = command(mtas, "create", "register an MTA; prints its pull token once")
    p.add_argument("--cluster", required=True, help="cluster id")
    p.add_argument("--primary-ipv4", required=True)
    p.add_argument("--primary-ipv6")
    p.add_argument("--outbound", action="append", default=[], type=_outbound, metavar="IPV4[,IPV6]",
                   help="an outbound IP pair (repeatable)")
    p = command(mtas, "list", "list MTAs")
    p.add_argument("--cluster", help="only this cluster's MTAs")

    users = group("users", "manage users and their cluster access")
    p = command(users, "create", "create a user")
    p.add_argument("--email", required=True)
    command(users, "list", "list users")
    p = command(users, "grant", "give a user access to a cluster")
    p.add_argument("--email", required=True)
    p.add_argument("--cluster", required=True, help="cluster id")

    tokens = group("tokens", "manage users' API tokens")
    p = command(tokens, "generate", "generate a user's API token (prints it once; revokes the previous one)")
    p.add_argument("--email", required=True)
    p = command(tokens, "revoke", "revoke a user's API token")
    p.add_argument("--email", required=True)

    fleet = group("fleet", "watch fleet convergence")
    command(fleet, "status", "per MTA: latest snapshot version vs the one its agent applied")

    replay = group("replay", "rebuild a projection from the event streams")
    p = command(replay, "configsync", "rebuild the MTA snapshots from the event topics and swap them in "
                                      "(needs UNMTA_DATABASE_URL and UNMTA_KAFKA_BOOTSTRAP)")

    agent = groups.add_parser("agent", help="run the MTA-side agent loop", parents=[common],
                              description="Long-poll this MTA's snapshot and install it atomically in --dir.")
    agent.add_argument("--mta", required=True, help="MTA id")
    agent.add_argument("--token", default=os.environ.get("UNMTA_MTA_TOKEN"),
                       help="the MTA's pull token (env UNMTA_MTA_TOKEN)")
    agent.add_argument("--dir", required=True, type=Path, help="where snapshot.json is written")
    agent.add_argument("--wait", type=float, default=30.0, help="long-poll seconds (default 30)")
    agent.add_argument("--once", action="store_true", help="pull once and exit")
    return parser


def _client(args: argparse.Namespace) -> AdminClient:
    if not args.admin_token:
        raise SystemExit("error: no admin token: pass --admin-token or set UNMTA_ADMIN_TOKEN "
                         "(`make run` prints it)")
    return AdminClient(args.url, args.admin_token)


def _clusters(args, out: Printer) -> None:
    api = _client(args)
    if args.action == "create":
        out.record(api.request("POST", "/admin/v1/clusters", {"region": args.region,
                                                             "max_message_rate": args.max_message_rate}))
    elif args.action == "list":
        out.table(api.request("GET", "/admin/v1/clusters"),
                  ["id", "hostname", "region", "status", "max_message_rate", "created_at"])
    else:
        rate = None if args.no_rate_limit else args.max_message_rate
        out.record(api.request("PATCH", f"/admin/v1/clusters/{args.id}", {"max_message_rate": rate}))


def _mtas(args, out: Printer) -> None:
    api = _client(args)
    if args.action == "create":
        body = {"primary_ipv4": args.primary_ipv4, "primary_ipv6": args.primary_ipv6, "outbound_ips": args.outbound}
        result = api.request("POST", f"/admin/v1/clusters/{args.cluster}/mtas", body)
        out.record(result, secret=("token", "MTA pull token (shown once; give it to the agent)"))
    else:
        out.table(api.request("GET", "/admin/v1/mtas", query={"cluster": args.cluster}),
                  ["id", "cluster_id", "hostname", "primary_ipv4", "primary_ipv6", "created_at"])


def _users(args, out: Printer) -> None:
    api = _client(args)
    if args.action == "create":
        out.record(api.request("POST", "/admin/v1/users", {"email": args.email}))
    elif args.action == "list":
        out.table(api.request("GET", "/admin/v1/users"), ["email", "clusters", "has_api_token", "created_at"])
    else:
        out.record(api.request("POST", f"/admin/v1/users/{args.email}/grants", {"cluster": args.cluster}))


def _tokens(args, out: Printer) -> None:
    api = _client(args)
    if args.action == "generate":
        out.record(api.request("POST", f"/admin/v1/users/{args.email}/token"),
                   secret=("token", "API token (shown once; the previous token no longer works)"))
    else:
        api.request("DELETE", f"/admin/v1/users/{args.email}/token")
        out.done(f"API token of {args.email} revoked")


def _fleet(args, out: Printer) -> None:
    out.table(_client(args).request("GET", "/admin/v1/fleet/status"),
              ["cluster_id", "mta_id", "latest_version", "applied_version", "converged", "status", "reported_at"])


def _replay(args, out: Printer) -> None:
    from unmta_common.config import InfraConfig
    from unmta_configsync.replay import replay_configsync

    from .output import ProgressBar

    infra = InfraConfig.from_env(os.environ)
    bar = ProgressBar("replaying events", enabled=not args.json)
    report = asyncio.run(replay_configsync(infra, progress=bar.update))
    bar.finish()
    out.record({"data": {"generation": report.generation, "events": report.events, "snapshots": report.snapshots,
                         "differing_snapshots": report.differing_snapshots,
                         "seconds": round(report.seconds, 3)}})


def _agent(args, out: Printer) -> None:
    from unmta_agent.agent import Agent, AgentConfig
    from unmta_common.logs import setup_logging

    if not args.token:
        raise SystemExit("error: no MTA token: pass --token or set UNMTA_MTA_TOKEN")
    setup_logging(os.environ.get("UNMTA_LOG_LEVEL", "INFO"))
    agent = Agent(AgentConfig(url=args.url, mta_id=args.mta, token=args.token, directory=args.dir,
                              wait_s=args.wait))
    try:
        asyncio.run(agent.run(once=args.once))
    except KeyboardInterrupt:
        pass
    if args.once:
        installed = agent.installed
        out.record({"data": {"mta_id": args.mta, "installed_version": installed.version if installed else None,
                             "etag": installed.etag if installed else None}})


COMMANDS: dict[str, Callable[[argparse.Namespace, Printer], None]] = {
    "clusters": _clusters, "mtas": _mtas, "users": _users, "tokens": _tokens, "fleet": _fleet,
    "replay": _replay, "agent": _agent,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = Printer(as_json=args.json)
    try:
        COMMANDS[args.group](args, out)
    except ApiError as exc:
        print(f"error: {exc.describe()}", file=sys.stderr)
        return 1
    except Unreachable as exc:
        print(f"error: {exc}. Is the control plane running (`make run`)?", file=sys.stderr)
        return 2
    return 0


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
