"""Intake: department files of visits → validated, deduplicated visit records."""
