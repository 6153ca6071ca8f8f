"""The application: the `roi` command, the pipeline runner, export, docs, the audit view
and erasure (`roi forget`). It sits on top of every other package (README "Architecture")."""
