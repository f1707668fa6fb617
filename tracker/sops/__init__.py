"""SOP documents: versions, approval, the steps table, the RACI matrix."""
