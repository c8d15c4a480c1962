"""dwelltime: time in status reports for Jira, delivered as files through an async export API."""

__version__ = "0.1.0"
