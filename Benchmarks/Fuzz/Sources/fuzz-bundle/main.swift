import FuzzSupport

// libFuzzer runs `fuzzBundle` (Target.swift) on every input.
Fuzz.main(fuzzBundle) { _ = originals }
