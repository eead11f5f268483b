"""Start the nl2logql web UI: ``python app.py`` (then open http://127.0.0.1:7860).

The page opens at once; the model loads in the background (the first start converts
the bundled model, about a minute) while the page says so.
"""

from __future__ import annotations

import argparse
import sys


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python app.py",
        description="The nl2logql web UI: ask questions about your logs, get LogQL, run it.",
        epilog="Examples:\n  python app.py\n  python app.py --port 8080 --auth admin:secret\n"
               "  python app.py --loki http://localhost:3100 --org-id tenant-1",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1",
                        help="Address to listen on (default 127.0.0.1: this machine only; "
                             "0.0.0.0 for every interface).")
    parser.add_argument("--port", type=int, default=7860, help="Port (default 7860).")
    parser.add_argument("--auth", metavar="USER:PASS",
                        help="Ask for this user name and password before showing the page.")
    parser.add_argument("--loki", metavar="URL",
                        help="Default data source: a Loki server (auth from LOKI_USERNAME/"
                             "LOKI_PASSWORD, LOKI_BEARER_TOKEN, as logcli). Default: the sample store.")
    parser.add_argument("--org-id", metavar="TENANT", help="Loki tenant (X-Scope-OrgID).")
    parser.add_argument("--base-model", metavar="PATH|ID",
                        help="Local weights instead of the bundled Gemma 3 270M.")
    parser.add_argument("--endpoint", metavar="URL",
                        help="An OpenAI-compatible server to generate with instead of local weights.")
    parser.add_argument("--endpoint-model", metavar="NAME", help="The model name the endpoint serves.")
    args = parser.parse_args(argv)
    if args.auth is not None and ":" not in args.auth:
        parser.error("--auth takes USER:PASS")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from nl2logql.errors import Nl2LogQLError
    from nl2logql.ui.app import build_app, launch
    from nl2logql.ui.models import real_factory

    backend = None
    if args.loki:
        from nl2logql.engine.loki import LokiBackend

        try:
            backend = LokiBackend.from_env(url=args.loki, org_id=args.org_id)
        except Nl2LogQLError as error:
            print(f"nl2logql: {error}", file=sys.stderr)
            return 2
    factory = real_factory(base_model=args.base_model, endpoint=args.endpoint,
                           endpoint_model=args.endpoint_model)
    models = None if args.base_model or args.endpoint else _choices()
    demo = build_app(factory, backend, models=models)
    auth = tuple(args.auth.split(":", 1)) if args.auth else None
    launch(demo, server_name=args.host, server_port=args.port, auth=auth)
    return 0


def _choices():
    from nl2logql.ui.models import model_choices

    return model_choices()


if __name__ == "__main__":
    sys.exit(main())
