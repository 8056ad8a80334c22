"""The grading service: FastAPI routes, a durable submission store and local grading workers."""
