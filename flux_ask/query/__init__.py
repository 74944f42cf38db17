"""Questions in plain English become QueryPlans. Pure: no database, no model, no network
(the place resolver is a parameter)."""

from flux_ask.query.plan import Place, QueryPlan
from flux_ask.query.planner import plan

__all__ = ["Place", "QueryPlan", "plan"]
