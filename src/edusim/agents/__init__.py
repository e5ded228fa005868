"""Agents: schools as Mesa agents; teachers and families as array-backed populations."""

from edusim.agents.families import Families
from edusim.agents.population import Population
from edusim.agents.school import School, SchoolTable
from edusim.agents.teachers import TIERS, Teachers

__all__ = ["TIERS", "Families", "Population", "School", "SchoolTable", "Teachers"]
