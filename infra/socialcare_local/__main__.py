"""python -m socialcare_local up | demo [--once] | llm"""

from __future__ import annotations

import argparse
import contextlib
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
    sub.add_parser(
        "llm", help="serve only the local LLM (SmolLM2, or LOCAL_LLM_MODEL) until Ctrl-C"
    )
    args = parser.parse_args(argv)
    # `kill` (as the tests and process managers stop the stack) must stop it like Ctrl-C does,
    # so that the child processes (moto, the LLM) are stopped too rather than left behind.
    signal.signal(signal.SIGTERM, _interrupt)
    if args.command == "llm":
        return serve_llm()

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
        _serve_until_interrupted()
    except KeyboardInterrupt:  # Ctrl-C during the replay
        pass
    finally:
        stack.stop()
    return 0


def serve_llm() -> int:
    """The local LLM alone, for `socialcare answer` or `socialcare generate-check`."""
    from socialcare_local.llm_server import local_llm
    from socialcare_local.stack import StackConfig

    server = local_llm(StackConfig.from_env().llm_port).start()
    print(
        f"LLM_ENDPOINT_URL={server.base_url} LLM_MODEL={server.model} LLM_ENGINE={server.engine}",
        flush=True,
    )
    try:
        _serve_until_interrupted()
    finally:
        server.stop()
    return 0


def _serve_until_interrupted() -> None:
    print("serving until Ctrl-C", file=sys.stderr, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            signal.pause()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
