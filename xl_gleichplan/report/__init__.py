"""Outputs for people: the terminal summary and the plan draft."""
