"""Domain operations, all of one shape: read through the repository, decide with a pure rule,
commit the decision in one transaction, and retry from the read when a concurrent writer won."""
