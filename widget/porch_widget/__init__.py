"""The chat widget that runs inside the Porch iframe (Brython)."""
