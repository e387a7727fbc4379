"""The human agents' side: their queue, transcripts, replies, resolving and handing back."""
