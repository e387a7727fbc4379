"""Tiny Llama models built in the test, served by `transformers serve`: the whole HTTP path to a
real model, in seconds, with no download and no training.

Both share a byte-level BPE tokenizer trained here on the help centre.

- `answering_model`: its weights are set so that, whatever the prompt, it writes one reply: the
  grounded delivery-time answer below, as the JSON reply contract. Its attention and MLP outputs
  are zero, so the next token depends on the current one only, and every token of the answer
  leads to the next (a bigram chain from the generation marker to the end-of-turn token).
- `random_model`: random weights; it writes gibberish, which is what the guards must stop.
- `chat_model`: random weights with a ChatML template whose generation prompt begins the
  assistant's turn as the conversation renders it, as real chat models do: what fine-tuning
  needs to put the loss on the assistant's tokens alone.
"""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path
from typing import Any

from socialcare.knowledge.documents import HELPCENTRE, load_folder

DELIVERY_TEXT = (
    "Standard delivery takes 3-5 business days and express delivery 1-2 business days, "
    "counted from dispatch."
)
DELIVERY_REPLY = {
    "text": DELIVERY_TEXT,
    "citations": ["delivery-time"],
    "wants_human": False,
    "quick_replies": ["Track my order"],
}
# The answer as chunks, each one token of its own, so that each has a single successor.
ANSWER_CHUNKS = (
    '{"text": "',
    DELIVERY_TEXT,
    '", "citations": ["delivery-time"], ',
    '"wants_human": false, ',
    '"quick_replies": ["Track my order"]',
    "}",
)
GENERATION_MARKER = "<|assistant|>"
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '" + GENERATION_MARKER + "' }}{% endif %}"
)
CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + "
    "message['content'] + '<|im_end|>\n' }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
SPECIAL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", GENERATION_MARKER]
HIDDEN = 64

assert json.loads("".join(ANSWER_CHUNKS)) == DELIVERY_REPLY


def answering_model(folder: Path) -> Path:
    import torch

    tokenizer = _tokenizer()
    model = _model(tokenizer)
    chain = [tokenizer.convert_tokens_to_ids(GENERATION_MARKER)]
    chain += [tokenizer.convert_tokens_to_ids(chunk) for chunk in ANSWER_CHUNKS]
    chain += [tokenizer.eos_token_id]
    with torch.no_grad():
        for layer in model.model.layers:  # nothing but the token's own embedding reaches the head
            layer.self_attn.o_proj.weight.zero_()
            layer.mlp.down_proj.weight.zero_()
        model.lm_head.weight.zero_()
        for dim, (token, following) in enumerate(pairwise(chain)):
            model.model.embed_tokens.weight[token] = torch.nn.functional.one_hot(
                torch.tensor(dim), HIDDEN
            ).float()
            model.lm_head.weight[following, dim] = 10.0
    return _save(model, tokenizer, folder)


def random_model(folder: Path) -> Path:
    tokenizer = _tokenizer()
    return _save(_model(tokenizer), tokenizer, folder)


def chat_model(folder: Path) -> Path:
    tokenizer = _tokenizer()
    tokenizer.chat_template = CHATML_TEMPLATE
    return _save(_model(tokenizer), tokenizer, folder)


def _tokenizer() -> Any:
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(
        [doc.text for doc in load_folder(HELPCENTRE)],
        trainers.BpeTrainer(
            vocab_size=2000,
            special_tokens=SPECIAL,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        ),
    )
    bpe.add_tokens([AddedToken(chunk, normalized=False) for chunk in ANSWER_CHUNKS])
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def _model(tokenizer: Any) -> Any:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=HIDDEN,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=8192,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=None,
        tie_word_embeddings=False,
        architectures=["LlamaForCausalLM"],
    )
    return LlamaForCausalLM(config)


def _save(model: Any, tokenizer: Any, folder: Path) -> Path:
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
