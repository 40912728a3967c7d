"""salesdeck's built-in plugins. Each is an ordinary plugin: the core runs without any of them."""
