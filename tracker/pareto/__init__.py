"""The portfolio Pareto page: which causes recur across initiatives."""
