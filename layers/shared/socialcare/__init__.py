"""socialcare: an LLM customer-care agent for social media."""

__version__ = "0.1.0"
