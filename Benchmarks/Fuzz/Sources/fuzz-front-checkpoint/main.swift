import FuzzSupport

// libFuzzer runs `fuzzFrontCheckpoint` (Target.swift) on every input.
Fuzz.main(fuzzFrontCheckpoint) { _ = (checkpoint, runJSON) }
