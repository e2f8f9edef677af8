"""Socket.IO client for Brython, shared by the chat widget and the operator panel."""
