"""RQ side of Casefile QA: the job class, thin job functions and the periodic schedule."""
