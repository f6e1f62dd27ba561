// FeatureData: see README.md in this folder.
