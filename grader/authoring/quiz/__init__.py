"""Quizzes from reference solutions: items computed by the reference, written as Moodle XML or GIFT."""
