"""The domain: entities and commands (values), pure rules (rules/), and the operations that read,
decide with a rule, commit through the repository and retry (operations/)."""
