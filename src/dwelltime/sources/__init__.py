"""Where issue histories come from: the local store, demo data, later Jira sites."""
