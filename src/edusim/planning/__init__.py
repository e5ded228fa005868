"""Planning group layouts (`edusim plan`): which schools to pair, under a plan's
constraints and budgets, for the outcomes a district cares about.

Not to be confused with `experiment.plan` (an experiment's arms and seeds). Modules:
`spec` (the plan file), `facts` (the city the plan is judged on), `layout` (encoding,
repair, constraints), `search` (screening and re-evaluation), `outputs` (the folder).
"""
