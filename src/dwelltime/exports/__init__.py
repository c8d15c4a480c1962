"""Export jobs: records, status transitions, storage, the runner, executors and the service.

Imports only point down the flow (pipeline, writers, sources); never api or cli.
"""
