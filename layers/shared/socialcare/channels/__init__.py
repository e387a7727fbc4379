"""One module per platform: verify and parse what it sends, render and send what we answer."""
