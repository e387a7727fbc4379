"""The brand's knowledge base: documents, the retrieval port and its adapters."""
