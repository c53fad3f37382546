"""The workspace keeps no records of its own: it shows the records of the apps below it."""
