"""Looking published results up: an area's profile (`indexc show`) and an index's results taken away
(`indexc export`), both read from the published schema after `indexc run`."""
