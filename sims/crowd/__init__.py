"""A local crowd service speaking the Crowdflower v1 subset moderation uses.

Jobs, units, judgments and signed ``unit_complete`` webhooks, with simulated workers who
really look at each photo beside its original frame. Run ``python -m sims.crowd``.
"""
