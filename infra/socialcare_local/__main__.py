"""python -m socialcare_local up | demo [--once]"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from dataclasses import replace


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="socialcare_local", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="run the local stack until Ctrl-C")
    demo = sub.add_parser("demo", help="start the stack, replay signed webhooks, print them")
    demo.add_argument("--once", action="store_true", help="exit after the replay")
    args = parser.parse_args(argv)

    from socialcare_local.demo import print_transcript, replay
    from socialcare_local.stack import LocalStack, StackConfig

    config = StackConfig.from_env()
    if args.command == "demo":
        # The transcript is the demo's output: the parts log only warnings, unless told otherwise,
        # and a failed send is retried after a second rather than the queue's minute.
        # Nor the embedded metrics, which `make up` prints as Lambda would for CloudWatch.
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        config = replace(
            config,
            parameters={"LogLevel": "WARNING", **config.parameters},
            retry_after_s=config.retry_after_s or 1,
        )
    stack = LocalStack(config).start()
    print(
        f"local stack up: gateway {stack.gateway_url}, platform sandbox {stack.sandbox_url}, "
        f"moto {stack.moto.url}",
        file=sys.stderr,
        flush=True,
    )
    try:
        if args.command == "demo":
            print_transcript(replay(stack.gateway_url, stack.sandbox_url))
            if args.once:
                return 0
        print("serving until Ctrl-C", file=sys.stderr, flush=True)
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
