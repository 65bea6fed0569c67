"""One module per dataset, each turning raw files into the project's tidy long table."""
