"""Reports for people: charts of agreement and of scores."""
