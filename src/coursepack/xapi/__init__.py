"""xAPI: the vocabulary (defined once), statement helpers and the LRS client."""
