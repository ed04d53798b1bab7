"""The reports wing: visitors' reports about shown photos, the operators' queue of them
and the operators' decisions (takedown, restore, bulk revert)."""
