"""Learning from data: supervised fine-tuning sets built from the Bitext development split and
from the conversations human agents resolved. Standard library only (no torch): the training
itself lives in inference/finetune/."""
