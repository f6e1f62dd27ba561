// Inference: see README.md in this folder.
