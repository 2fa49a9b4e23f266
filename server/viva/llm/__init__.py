"""The optional LLM critique: any OpenAI-compatible chat model, never trusted with the score."""
