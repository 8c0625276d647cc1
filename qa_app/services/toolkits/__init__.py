"""Audit toolkits: versioned YAML files (sections, questions, grading rules) loaded to the database.

Doors: ``store.load_toolkit_files`` / ``preview_toolkits`` (idempotent load), ``store.toolkit_for_cohort``;
``format.parse_toolkit`` validates a document; ``diff.describe_changes`` explains a new version.
"""
