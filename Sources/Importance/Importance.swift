// Importance: see README.md in this folder.
