// Allocation: see README.md in this folder.
