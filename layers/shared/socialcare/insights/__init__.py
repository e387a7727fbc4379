"""What the conversations tell the brand: metrics per turn, and the console's figures."""
