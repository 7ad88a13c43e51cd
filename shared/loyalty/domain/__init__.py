"""The domain: pure rules (rules.py) and the operations that apply them through the repository."""
