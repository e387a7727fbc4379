"""The policy: what the agent does with a message it understood."""
