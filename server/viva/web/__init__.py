"""The web pages: the candidate's chat interview and the coach's review, rendered on the server."""
