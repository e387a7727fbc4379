"""LoRA fine-tuning of a chat model on `socialcare dataset` output: recipes as YAML
(recipes/*.yaml), a thin CLI (`python -m inference.finetune --recipe FILE`), and a small library
(recipe.py: the settings; examples.py: tokenised examples with the loss on the assistant's
tokens only; training.py: the loop, the adapter and the merged model; plot.py: the loss curve).
Needs the `llm` extra (torch, transformers, peft); never part of the Lambda layer."""
