"""Writing the reply: extractive answers now, an LLM behind the same contract later."""
