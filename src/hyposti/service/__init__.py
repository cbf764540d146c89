"""The trial operations service: Django models, workflows, audit trail, signatures and REST API.

The rule engines (eligibility, dosing, safety, design, response) decide; this package stores what
they take as input, calls them, and records who did what. Engines never import it.
"""
