"""The foundation every other package builds on: settings, errors, periods, the warehouse
engines and their lock, private files, progress lines and log redaction. It imports no
other package of this project (`make lint` checks the layers)."""
