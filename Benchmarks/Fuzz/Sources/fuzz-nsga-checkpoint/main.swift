import FuzzSupport

// libFuzzer runs `fuzzNSGACheckpoint` (Target.swift) on every input.
Fuzz.main(fuzzNSGACheckpoint)
