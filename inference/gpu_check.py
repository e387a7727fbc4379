"""GPU check: a model of a production architecture (Llama 3.1 8B or Qwen2.5 7B) with random bf16
weights (nothing downloaded), served by the production engine, vLLM (--engine vllm, the
default: the engine of the SageMaker nested stack, its weights created by load_format="dummy"),
or by transformers' continuous-batching engine (--engine transformers: the one `transformers
serve --continuous-batching` runs), measured at 1, 8 and 32 concurrent requests: time to first
token, tokens/s, and both set against the memory-bandwidth bound of decoding (each step reads
every weight and each sequence's KV cache once).

    python inference/gpu_check.py                  # llama-3.1-8b, vLLM on cuda -> bench/gpu_check.*
    python inference/gpu_check.py --arch qwen2.5-7b --context 4096
    python inference/gpu_check.py --engine transformers --arch tiny --device cpu --out /tmp/c.json

Random weights write random tokens, but every matrix has its production shape, so the time per
token is the production model's. Needs torch and transformers (the project's `llm` extra), and
vllm for the default engine (installed on the GPU machine, not in the project's environment).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

ARCHITECTURES: dict[str, dict[str, Any]] = {
    # config.json of meta-llama/Llama-3.1-8B-Instruct, written out (no download)
    "llama-3.1-8b": {
        "model_type": "llama",
        "vocab_size": 128256,
        "hidden_size": 4096,
        "intermediate_size": 14336,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 8,
        "max_position_embeddings": 131072,
        "rope_theta": 500000.0,
        "rms_norm_eps": 1e-5,
        "tie_word_embeddings": False,
    },
    # config.json of Qwen/Qwen2.5-7B-Instruct
    "qwen2.5-7b": {
        "model_type": "qwen2",
        "vocab_size": 152064,
        "hidden_size": 3584,
        "intermediate_size": 18944,
        "num_hidden_layers": 28,
        "num_attention_heads": 28,
        "num_key_value_heads": 4,
        "max_position_embeddings": 32768,
        "rope_theta": 1000000.0,
        "rms_norm_eps": 1e-6,
        "tie_word_embeddings": False,
    },
    # The same code path in seconds, for a CPU smoke test
    "tiny": {
        "model_type": "llama",
        "vocab_size": 1024,
        "hidden_size": 128,
        "intermediate_size": 256,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "max_position_embeddings": 4096,
        "tie_word_embeddings": False,
    },
}
SPEC_BANDWIDTH_GBPS = {  # HBM bandwidth from the vendors' data sheets, by name fragment
    "H200": 4800,
    "H100 NVL": 3900,
    "H100 SXM": 3350,
    "H100 PCIe": 2000,
    "H100": 3350,
    "A100-SXM4-80GB": 2039,
    "A100 80GB PCIe": 1935,
    "A100": 1555,
    "L40S": 864,
    "A10G": 600,
    "L4": 300,
}


@dataclass
class Run:
    concurrency: int
    wall_s: float  # the whole call, the engine's start and warm-up included
    ttft_ms_p50: float
    ttft_ms_max: float
    decode_tokens_per_s_per_request: float  # after the first token, median over requests
    aggregate_tokens_per_s: float  # every token generated, first request in to last token out
    bound_tokens_per_s: float  # the memory-bandwidth bound of decoding at this concurrency
    share_of_bound: float  # decode tokens/s of all requests together, over the bound
    errors: int


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--arch", choices=sorted(ARCHITECTURES), default="llama-3.1-8b")
    parser.add_argument("--engine", choices=["vllm", "transformers"], default="vllm")
    parser.add_argument("--device", default="cuda")
    parser.add_argument(
        "--context", type=int, default=4096, help="vLLM's max_model_len (the stack's context)"
    )
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--prompt-tokens", type=int, default=512)
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "gpu_check.json")
    args = parser.parse_args(argv)

    import torch
    import transformers

    device = torch.device(args.device)
    _say(f"torch {torch.__version__}, transformers {transformers.__version__}, {_name(device)}")
    # vLLM makes its own weights: the transformers model is then only counted, on no device.
    model, params = _model(
        args.arch, device if args.engine == "transformers" else torch.device("meta")
    )
    weight_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
    _say(f"{args.arch}: {params / 1e9:.2f} B parameters, {weight_bytes / 1e9:.1f} GB of weights")
    measured = _bandwidth_gbps(device)
    spec = next((v for k, v in SPEC_BANDWIDTH_GBPS.items() if k in _name(device)), None)
    _say(f"memory bandwidth: {measured:.0f} GB/s measured (copy), {spec or '?'} GB/s on paper")
    kv_per_token = _kv_bytes_per_token(model.config)
    if device.type == "cuda":
        torch.cuda.empty_cache()  # the bandwidth test's buffers: vLLM sizes its cache on free

    def bound(concurrency: int) -> float:
        # Each decode step reads the weights once and every sequence's KV cache (at mid-answer).
        context = args.prompt_tokens + args.new_tokens / 2
        step_bytes = weight_bytes + concurrency * context * kv_per_token
        return concurrency * measured * 1e9 / step_bytes

    runs = []
    if args.engine == "vllm":
        llm = _vllm_engine(args.arch, args.context)
        _vllm_measure(llm, args, 1, bound(1))  # warm-up: CUDA graphs, allocator
        for concurrency in args.concurrency:
            _say(f"{concurrency} concurrent requests ...")
            runs.append(_vllm_measure(llm, args, concurrency, bound(concurrency)))
            _say(json.dumps(asdict(runs[-1])))
    else:
        _measure(model, torch, args, concurrency=1, new_tokens=8)  # warm-up: kernels, allocator
        for concurrency in args.concurrency:
            _say(f"{concurrency} concurrent requests ...")
            outputs, wall = _measure(model, torch, args, concurrency, args.new_tokens)
            runs.append(_summarise(outputs, concurrency, wall, bound(concurrency)))
            _say(json.dumps(asdict(runs[-1])))

    result = {
        "arch": args.arch,
        "parameters": params,
        "weights_gb": round(weight_bytes / 1e9, 2),
        "kv_cache_kb_per_token": round(kv_per_token / 1024, 1),
        "device": _name(device),
        "bandwidth_gbps_measured": round(measured, 1),
        "bandwidth_gbps_spec": spec,
        "prompt_tokens": args.prompt_tokens,
        "new_tokens": args.new_tokens,
        "engine": (
            f"vLLM {_vllm_version()} (LLM, dummy weights, no prefix caching)"
            if args.engine == "vllm"
            else "transformers continuous batching (generate_batch), sdpa attention"
        ),
        "context": args.context if args.engine == "vllm" else None,
        "runs": [asdict(r) for r in runs],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "when": time.strftime("%Y-%m-%d %H:%M"),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    _plot(result, args.out.with_suffix(".png"))
    _say(f"wrote {args.out} and {args.out.with_suffix('.png')}")
    return 0


def _vllm_engine(arch: str, context: int) -> Any:
    """vLLM's offline engine over the architecture, its weights random (load_format="dummy"):
    a config.json is all it reads. Prompts are token ids, so no tokenizer is needed."""
    import tempfile

    from vllm import LLM

    spec = dict(ARCHITECTURES[arch])
    classes = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM"}
    config = {**spec, "architectures": [classes[spec["model_type"]]], "torch_dtype": "bfloat16"}
    folder = Path(tempfile.mkdtemp(prefix=f"gpu-check-{arch}-"))
    (folder / "config.json").write_text(json.dumps(config))
    started = time.perf_counter()
    llm = LLM(
        model=str(folder),
        load_format="dummy",
        skip_tokenizer_init=True,
        dtype="bfloat16",
        max_model_len=context,
        enable_prefix_caching=False,  # each measured prefill computes its prompt
        seed=0,
    )
    _say(f"vLLM engine up in {time.perf_counter() - started:.1f} s")
    return llm


def _vllm_measure(llm: Any, args: argparse.Namespace, concurrency: int, bound: float) -> Run:
    """Time to first token as the time the batch takes to write one token each; then the same
    number of other prompts written to new_tokens each (EOS ignored: random weights)."""
    import torch
    from vllm import SamplingParams
    from vllm.inputs import TokensPrompt

    vocab = ARCHITECTURES[args.arch]["vocab_size"]

    def prompts(seed: int) -> list[Any]:
        generator = torch.Generator().manual_seed(seed)
        shape = (concurrency, args.prompt_tokens)
        ids = torch.randint(100, vocab - 100, shape, generator=generator).tolist()
        return [TokensPrompt(prompt_token_ids=row) for row in ids]

    def sampling(tokens: int) -> Any:
        return SamplingParams(max_tokens=tokens, ignore_eos=True, temperature=0, detokenize=False)

    started = time.perf_counter()
    llm.generate(prompts(concurrency), sampling(1), use_tqdm=False)
    first = time.perf_counter() - started
    started = time.perf_counter()
    outputs = llm.generate(prompts(concurrency + 1000), sampling(args.new_tokens), use_tqdm=False)
    wall = time.perf_counter() - started
    generated = sum(len(o.outputs[0].token_ids) for o in outputs if o.outputs)
    per_request = (args.new_tokens - 1) / (wall - first) if wall > first else 0.0
    return Run(
        concurrency=concurrency,
        wall_s=round(wall, 3),
        ttft_ms_p50=round(first * 1000, 1),
        ttft_ms_max=round(first * 1000, 1),
        decode_tokens_per_s_per_request=round(per_request, 1),
        aggregate_tokens_per_s=round(generated / wall, 1) if wall else 0.0,
        bound_tokens_per_s=round(bound, 1),
        share_of_bound=round(per_request * concurrency / bound, 3) if bound else 0.0,
        errors=concurrency - len(outputs),
    )


def _vllm_version() -> str:
    import vllm

    return str(vllm.__version__)


def _model(arch: str, device: Any) -> tuple[Any, int]:
    """The architecture with random weights, created directly on the device in bf16."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM

    spec = dict(ARCHITECTURES[arch])
    config = AutoConfig.for_model(spec.pop("model_type"), **spec)
    started = time.perf_counter()
    torch.manual_seed(0)
    with device:  # allocate and initialise on the GPU: nothing goes through host memory
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.eval()
    model.generation_config.pad_token_id = 0
    _say(f"initialised on {device} in {time.perf_counter() - started:.1f} s")
    return model, sum(p.numel() for p in model.parameters())


def _measure(
    model: Any, torch: Any, args: argparse.Namespace, concurrency: int, new_tokens: int
) -> tuple[list[Any], float]:
    from transformers import GenerationConfig

    generator = torch.Generator().manual_seed(concurrency)
    vocab = model.config.vocab_size
    prompts = [
        torch.randint(100, vocab - 100, (args.prompt_tokens,), generator=generator).tolist()
        for _ in range(concurrency)
    ]
    config = GenerationConfig(
        max_new_tokens=new_tokens,
        do_sample=False,
        eos_token_id=-1,  # random weights: never stop early, every request writes new_tokens
        pad_token_id=0,
    )
    _sync(torch, model.device)
    started = time.perf_counter()
    outputs = model.generate_batch(
        inputs=prompts, generation_config=config, record_timestamps=True, progress_bar=False
    )
    _sync(torch, model.device)
    return list(outputs.values()), time.perf_counter() - started


def _summarise(outputs: list[Any], concurrency: int, wall: float, bound: float) -> Run:
    done = [o for o in outputs if o.error is None and o.timestamps]
    ttft = sorted((o.timestamps[0] - o.created_time) * 1000 for o in done)
    decode = [
        (len(o.timestamps) - 1) / (o.timestamps[-1] - o.timestamps[0])
        for o in done
        if len(o.timestamps) > 1 and o.timestamps[-1] > o.timestamps[0]
    ]
    generated = sum(len(o.generated_tokens) for o in done)
    span = max((o.timestamps[-1] for o in done), default=0.0) - min(
        (o.created_time for o in done), default=0.0
    )
    per_request = statistics.median(decode) if decode else 0.0
    return Run(
        concurrency=concurrency,
        wall_s=round(wall, 3),
        ttft_ms_p50=round(statistics.median(ttft), 1) if ttft else 0.0,
        ttft_ms_max=round(ttft[-1], 1) if ttft else 0.0,
        decode_tokens_per_s_per_request=round(per_request, 1),
        aggregate_tokens_per_s=round(generated / span, 1) if span > 0 else 0.0,
        bound_tokens_per_s=round(bound, 1),
        share_of_bound=round(per_request * len(done) / bound, 3) if bound else 0.0,
        errors=len(outputs) - len(done) + max(0, concurrency - len(outputs)),
    )


def _kv_bytes_per_token(config: Any) -> int:
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    return 2 * config.num_hidden_layers * config.num_key_value_heads * head_dim * 2  # K, V; bf16


def _bandwidth_gbps(device: Any) -> float:
    """Device memory bandwidth from a large copy: each byte is read once and written once."""
    import torch

    size = (1 << 30) if device.type == "cuda" else (1 << 26)
    source = torch.empty(size, dtype=torch.uint8, device=device)
    target = torch.empty_like(source)
    for _ in range(3):
        target.copy_(source)
    _sync(torch, device)
    started = time.perf_counter()
    repeats = 20
    for _ in range(repeats):
        target.copy_(source)
    _sync(torch, device)
    return 2 * repeats * size / (time.perf_counter() - started) / 1e9


def _sync(torch: Any, device: Any) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _name(device: Any) -> str:
    import torch

    if device.type == "cuda":
        return str(torch.cuda.get_device_name(device))
    return f"{platform.processor() or platform.machine()} CPU"


def _plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = result["runs"]
    x = [r["concurrency"] for r in runs]
    figure, (ttft, speed) = plt.subplots(1, 2, figsize=(11, 4))
    ttft.plot(x, [r["ttft_ms_p50"] for r in runs], "o-", label="median")
    ttft.plot(x, [r["ttft_ms_max"] for r in runs], "o--", label="slowest request")
    ttft.set(xscale="log", xlabel="concurrent requests", ylabel="ms", title="Time to first token")
    ttft.set_xticks(x, [str(v) for v in x])
    ttft.legend()
    decoding = [r["decode_tokens_per_s_per_request"] * r["concurrency"] for r in runs]
    speed.plot(x, decoding, "o-", label="decoding, all requests")
    speed.plot(x, [r["aggregate_tokens_per_s"] for r in runs], "o-", label="end to end")
    speed.plot(x, [r["bound_tokens_per_s"] for r in runs], "k:", label="memory-bandwidth bound")
    speed.set(xscale="log", yscale="log", xlabel="concurrent requests", ylabel="tokens/s")
    speed.set_xticks(x, [str(v) for v in x])
    speed.set_title(f"{result['arch']} bf16 on {result['device']}")
    speed.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
