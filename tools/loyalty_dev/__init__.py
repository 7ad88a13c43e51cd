"""Developer tools for the loyalty service: template reading, local runs, signing, checks."""
