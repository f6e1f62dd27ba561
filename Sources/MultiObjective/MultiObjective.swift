// MultiObjective: see README.md in this folder.
