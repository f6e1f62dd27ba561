import FuzzSupport

// libFuzzer runs `fuzzNpy` (Target.swift) on every input.
Fuzz.main(fuzzNpy) { _ = scratch }
