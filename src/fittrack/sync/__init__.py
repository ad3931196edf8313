"""The client side of sync: talking to the server (``http``) and reconciling (``engine``)."""
