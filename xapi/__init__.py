"""xAPI 1.0.3: a statement store and the State resource for the activities played on the site."""
