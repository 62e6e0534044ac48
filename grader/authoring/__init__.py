"""Running the reference for other ends: the mutation audit, answer keys, quizzes."""
