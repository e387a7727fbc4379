"""Understanding a customer message before answering it."""
