"""The book layer: results contract, published numbers, dashboard, chapter runner, CLI, explorers."""
